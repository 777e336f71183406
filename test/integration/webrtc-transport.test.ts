/**
 * Real WebRTC (@roamhq/wrtc) between transports in one Node process, signaled through the
 * in-memory hub. Run inside ../shared/tools/loopback-only (npm test does).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NetError } from '../../web/net/errors';
import type { WebRtcTransport } from '../../web/net/webrtc-transport';
import { createWrtcTestnet, randomPeerId, sleep, waitFor, type WrtcTestnet } from '../helpers/wrtc';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function inbox(t: WebRtcTransport): Array<[string, string]> {
  const got: Array<[string, string]> = [];
  t.onFrame((from, f) => got.push([from, dec(f)]));
  return got;
}

function downs(t: WebRtcTransport): string[] {
  const out: string[] = [];
  t.onPeerDown((p) => out.push(p));
  return out;
}

let net: WrtcTestnet | undefined;
afterEach(() => {
  net?.destroy();
  net = undefined;
});

describe('WebRtcTransport over @roamhq/wrtc', () => {
  it('connects on demand and carries frames both ways between 4 nodes', async () => {
    net = createWrtcTestnet(4);
    const nodes = net.nodes;
    const boxes = nodes.map(inbox);
    // Everyone sends to everyone before any connection exists: frames queue, then flush.
    for (const a of nodes) for (const b of nodes) if (a !== b) a.send(b.id, enc(`${a.id}->${b.id}`));
    await waitFor(() => boxes.every((b) => b.length === 3), 10_000, 'all frames');
    for (let i = 0; i < nodes.length; i++) {
      const expected = nodes.filter((_, j) => j !== i).map((a) => [a.id, `${a.id}->${nodes[i]!.id}`]);
      expect(boxes[i]!.slice().sort()).toEqual(expected.sort());
      const s = nodes[i]!.stats();
      expect(s.open).toBe(3);
      expect(s.framesOut).toBe(3);
      expect(s.framesIn).toBe(3);
      // Only glare bookkeeping may be counted here (all pairs dial each other at once).
      const { glare_ignored: _g, stale_signal: _s, ...frameDrops } = s.drops;
      expect(Object.values(frameDrops).reduce((x, y) => x + y, 0)).toBe(0);
    }
    // Each pair built exactly one connection: 6 pairs, lifetime 6 x 2 sides, glare or not.
    // (A glare loser's abandoned attempt also counts, so allow that.)
    const lifetime = nodes.reduce((n, t) => n + t.stats().lifetimeConnections, 0);
    expect(lifetime).toBeGreaterThanOrEqual(12);
    // Now traffic over the open channels, in both directions, in order.
    const [a, b] = nodes as [WebRtcTransport, WebRtcTransport];
    for (let i = 0; i < 50; i++) a.send(b.id, enc(`m${i}`));
    for (let i = 0; i < 50; i++) b.send(a.id, enc(`r${i}`));
    await waitFor(() => boxes[1]!.length === 53 && boxes[0]!.length === 53, 5000, 'burst');
    expect(boxes[1]!.slice(3).map((x) => x[1])).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    const setup = nodes.flatMap((t) => t.stats().setupMs);
    console.log(`[webrtc-transport] Node data channel setup ms: ${setup.map((x) => x.toFixed(1)).join(' ')}`);
  });

  it('drops and counts oversized frames, and garbage peer ids', async () => {
    net = createWrtcTestnet(2, { maxFrameBytes: 1024 });
    const [a, b] = net.nodes as [WebRtcTransport, WebRtcTransport];
    const got = inbox(b);
    await a.connect(b.id);
    a.send(b.id, new Uint8Array(1025));
    a.send(b.id, new Uint8Array(1024));
    a.send('not-an-id', enc('x'));
    a.send(a.id, enc('self'));
    await waitFor(() => got.length === 1, 5000, 'the max-size frame');
    expect(got[0]![1].length).toBe(1024);
    expect(a.stats().drops.frame_too_large).toBe(1);
    expect(a.stats().drops.bad_peer_id).toBe(2);
  });

  it('fires onPeerDown when a connection fails, but not after a deliberate close (BYE)', async () => {
    net = createWrtcTestnet(3);
    const [a, b, c] = net.nodes as [WebRtcTransport, WebRtcTransport, WebRtcTransport];
    const aDown = downs(a);
    const bDown = downs(b);
    await a.connect(b.id);
    await a.connect(c.id);
    // Deliberate close: b is told, so it does not report a down.
    a.close(b.id);
    await waitFor(() => !b.isConnected(a.id), 5000, 'b to see the close');
    // Failure: c vanishes without a word (tab closed / crashed).
    c.destroy();
    await waitFor(() => aDown.length === 1, 8000, 'a peer-down for c');
    expect(aDown).toEqual([c.id]);
    expect(bDown).toEqual([]);
    expect(a.stats().open).toBe(0);
    expect(a.stats().peerDowns).toBe(1);
  });

  it('reconnects to a protected peer after its connection fails', async () => {
    net = createWrtcTestnet(2, { reconnectDelayMs: 100 });
    const [a, b] = net.nodes as [WebRtcTransport, WebRtcTransport];
    a.protect(b.id, 'routing');
    await a.connect(b.id);
    const aDown = downs(a);
    // Kill b's side of the connection abruptly (as an ICE failure would).
    (b as unknown as { links: Map<string, { sp: { destroy(): void } }> }).links.get(a.id)!.sp.destroy();
    await waitFor(() => aDown.length === 1, 8000, 'peer down');
    await waitFor(() => a.isConnected(b.id) && b.isConnected(a.id), 8000, 'reconnect');
    expect(a.stats().reconnects).toBe(1);
    const got = inbox(b);
    a.send(b.id, enc('again'));
    await waitFor(() => got.length === 1, 5000, 'frame after reconnect');
  });

  it('resolves glare: both dial at once, one connection survives, no frame lost', async () => {
    net = createWrtcTestnet(0);
    for (let round = 0; round < 3; round++) {
      const a = net.add();
      const b = net.add();
      const ga = inbox(a);
      const gb = inbox(b);
      a.send(b.id, enc('from a'));
      b.send(a.id, enc('from b'));
      await waitFor(() => ga.length === 1 && gb.length === 1, 8000, 'both frames');
      expect(ga).toEqual([[b.id, 'from b']]);
      expect(gb).toEqual([[a.id, 'from a']]);
      expect(a.stats().glares + b.stats().glares).toBeGreaterThanOrEqual(1);
      const [lo, hi] = a.id < b.id ? [a, b] : [b, a];
      // The higher id never ignores an offer; the lower ignores the higher's when it arrives while
      // its own dial is still connecting (how often that is depends on the host's timing).
      expect(lo.stats().drops.glare_ignored).toBeLessThanOrEqual(1);
      expect(hi.stats().drops.glare_ignored).toBe(0);
      await sleep(300);
      expect(a.stats().open).toBe(1);
      expect(b.stats().open).toBe(1);
      expect(a.peers()).toEqual([b.id]);
    }
  });

  it('evicts the least recently used connection when the budget is full, protected peers stay', async () => {
    net = createWrtcTestnet(4);
    const peers = net.nodes as WebRtcTransport[];
    const hub = net.add({ pool: { maxOpen: 2 } });
    const downsOfPeers = peers.map(downs);
    hub.protect(peers[0]!.id, 'chat');
    await hub.connect(peers[0]!.id);
    await hub.connect(peers[1]!.id);
    await hub.connect(peers[2]!.id); // evicts peers[1] (LRU, unprotected)
    await waitFor(() => !peers[1]!.isConnected(hub.id), 5000, 'evicted peer to see BYE');
    expect(hub.peers().sort()).toEqual([peers[0]!.id, peers[2]!.id].sort());
    expect(hub.stats().open).toBe(2);
    hub.send(peers[2]!.id, enc('keep 2 busy'));
    await sleep(20);
    await hub.connect(peers[3]!.id); // evicts peers[2]; peers[0] is protected
    expect(hub.peers().sort()).toEqual([peers[0]!.id, peers[3]!.id].sort());
    expect(hub.stats().lifetimeConnections).toBe(4);
    await sleep(200);
    expect(downsOfPeers.flat()).toEqual([]); // evictions are BYEs, not failures
    // An incoming offer when every slot is protected is refused, and the dialer learns fast.
    hub.protect(peers[3]!.id, 'routing');
    const late = net.add();
    const err = await late.connect(hub.id).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NetError);
    expect((err as NetError).code).toBe('REJECTED');
    expect(hub.stats().drops.pool_full).toBe(1);
  });

  it('refuses new dials with LIFETIME_LIMIT once the lifetime budget is spent', async () => {
    net = createWrtcTestnet(3);
    const [a, b, c] = net.nodes as [WebRtcTransport, WebRtcTransport, WebRtcTransport];
    const capped = net.add({ pool: { lifetimeLimit: 2, protectedReserve: 0 } });
    await capped.connect(a.id);
    capped.close(a.id);
    await capped.connect(b.id);
    const err = await capped.connect(c.id).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as NetError).code).toBe('LIFETIME_LIMIT');
    capped.send(c.id, enc('x'));
    expect(capped.stats().drops.lifetime_limit).toBe(1);
    expect(capped.stats().lifetimeConnections).toBe(2);
  });

  it('times out a dial nobody answers and drops its queued frames', async () => {
    net = createWrtcTestnet(1, { connectTimeoutMs: 500 });
    const [a] = net.nodes as [WebRtcTransport];
    const ghost = randomPeerId();
    const aDown = downs(a);
    a.send(ghost, enc('1'));
    a.send(ghost, enc('2'));
    await waitFor(() => aDown.length === 1, 5000, 'timeout');
    expect(a.stats().drops.connect_timeout).toBe(2);
    expect(a.stats().open + a.stats().connecting).toBe(0);
  });
});
