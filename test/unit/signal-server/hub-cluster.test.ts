/**
 * The hub's side of the cluster contract, sans-IO: a scripted Cluster stands in for Redis, so the
 * order of events is exact. The welcome waits for the claim; relays to ids held elsewhere are
 * forwarded, and their failures come back as error frames; a displacement closes only the
 * connection holding the claim it names; degraded, a relay to anyone not here is answered at once.
 */
import { describe, expect, it } from 'vitest';
import type { Cluster, ClusterHost, ClusterState } from '../../../signal-server/cluster/cluster';
import { HubHarness, type HubClient } from '../../helpers/hub-harness';

class ScriptedCluster implements Cluster {
  state: ClusterState = 'ok';
  readonly instanceId = '0123456789abcdef';
  host!: ClusterHost;
  seq = 0;
  claims: { nodeId: string; claim: string; done: (s: string[] | null) => void }[] = [];
  released: [string, string][] = [];
  relays: { to: string; frame: string; from: string; ref: number | undefined }[] = [];
  ips = new Map<string, number>();
  attach(host: ClusterHost): void {
    this.host = host;
  }
  claim(nodeId: string, _k: number, done: (s: string[] | null) => void): string {
    const claim = `${this.instanceId}.${this.seq++}`;
    this.claims.push({ nodeId, claim, done });
    return claim;
  }
  release(nodeId: string, claim: string): void {
    this.released.push([nodeId, claim]);
  }
  relay(to: string, frame: string, from: string, ref: number | undefined): boolean {
    if (this.state !== 'ok') return false;
    this.relays.push({ to, frame, from, ref });
    return true;
  }
  sample(_k: number, _x: string, done: (ids: string[] | null) => void): void {
    done(this.state === 'ok' ? ['c'.repeat(40)] : null);
  }
  admitIp(_ip: string, _n: number, _cap: number, done: (ok: boolean) => void): void {
    done(true);
  }
  ipCount(ip: string, n: number): void {
    this.ips.set(ip, n);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function rig(): { h: HubHarness; cl: ScriptedCluster; join: (seed: number) => HubClient } {
  const cl = new ScriptedCluster();
  const h = new HubHarness({}, cl);
  /** Hello, and the cluster confirms the claim at once. */
  const join = (seed: number): HubClient => {
    const { io, conn } = h.open();
    const c = h.client(io, conn!);
    h.hello(c, seed);
    cl.claims.at(-1)!.done([]);
    return { ...c, nodeId: conn!.nodeId! };
  };
  return { h, cl, join };
}

describe('SignalHub in a cluster', () => {
  it('welcomes only once the claim is cluster-wide, with the cluster-wide sample', () => {
    const { h, cl } = rig();
    const { io, conn } = h.open();
    const c = h.client(io, conn!);
    h.hello(c, 1);
    expect(io.of('welcome')).toEqual([]);
    cl.claims[0]!.done(['d'.repeat(40)]);
    expect(io.of('welcome')[0]).toMatchObject({ peers: ['d'.repeat(40)] });
    c.send({ t: 'bootstrap', id: 4 });
    expect(io.of('peers')[0]).toEqual({ t: 'peers', id: 4, peers: ['c'.repeat(40)] });
    expect(cl.ips.get('127.0.0.1')).toBe(1);
  });

  it('forwards relays to ids held elsewhere; failures reported back become error frames', () => {
    const { cl, join } = rig();
    const a = join(1);
    a.send({ t: 'relay', to: 'e'.repeat(40), payload: { x: 1 }, id: 9 });
    expect(cl.relays).toEqual([
      { to: 'e'.repeat(40), frame: `{"t":"relay","from":"${a.nodeId}","payload":{"x":1}}`, from: a.nodeId, ref: 9 },
    ]);
    expect(a.io.of('error')).toEqual([]);
    cl.host.relayFailed(a.nodeId, 9, 'TARGET_BUSY', 'e'.repeat(40));
    expect(a.io.of('error', 'TARGET_BUSY')[0]).toMatchObject({ ref: 9, target: 'e'.repeat(40) });
    // a relay from another instance to a local client
    const b = join(2);
    expect(cl.host.deliver(b.nodeId, '{"t":"relay","from":"x","payload":1}')).toBeNull();
    expect(b.io.of('relay')).toEqual([{ t: 'relay', from: 'x', payload: 1 }]);
    expect(cl.host.deliver('f'.repeat(40), '{}')).toBe('UNKNOWN_TARGET');
  });

  it('a displacement closes only the connection holding the claim it names', () => {
    const { cl, join } = rig();
    const old = join(1);
    const oldClaim = old.conn.claim;
    const fresh = join(1); // same key again here: the local rule replaces `old`
    expect(old.io.closedWith).toEqual({ code: 4000, reason: 'REPLACED' });
    expect(cl.released).toEqual([[old.nodeId, oldClaim]]);
    cl.host.displace(fresh.nodeId, oldClaim); // late news about the old claim
    expect(fresh.io.closedWith).toBeNull();
    cl.host.displace(fresh.nodeId, fresh.conn.claim);
    expect(fresh.io.closedWith).toEqual({ code: 4000, reason: 'REPLACED' });
    expect(cl.host.snapshot().peers).toEqual([]);
  });

  it('degraded: relays to anyone not connected here get UNKNOWN_TARGET at once; local ones pass', () => {
    const { cl, join } = rig();
    const a = join(1);
    const b = join(2);
    cl.state = 'degraded';
    a.send({ t: 'relay', to: 'e'.repeat(40), payload: 1, id: 3 });
    expect(a.io.of('error', 'UNKNOWN_TARGET')[0]).toMatchObject({ ref: 3, message: expect.stringContaining('unreachable') });
    expect(cl.relays).toEqual([]);
    a.send({ t: 'relay', to: b.nodeId, payload: 2 });
    expect(b.io.of('relay')).toEqual([{ t: 'relay', from: a.nodeId, payload: 2 }]);
    expect(
      cl.host
        .snapshot()
        .peers.map(([id]) => id)
        .sort(),
    ).toEqual([a.nodeId, b.nodeId].sort());
  });
});
