/**
 * RedisCluster: any number of signaling instances sharing one Redis (or Valkey) become one
 * service. Redis holds the peer directory (an id's claim, with a lease the heartbeat renews), the
 * bootstrap sample set and per-address connection counts; its pub/sub carries relays, their
 * failures and displacements between instances. Key layout and scripts: scripts.ts; messages:
 * wire.ts; the contract with the hub: cluster.ts.
 *
 * Two ways to route a relay (`channels`):
 *   'instance': one channel per instance; a script finds the target's owner and publishes to it.
 *   'id':       one sharded channel per node id (SSUBSCRIBE at hello, SPUBLISH per relay).
 * Either way a relay nobody receives (unknown id, owner gone) gets UNKNOWN_TARGET back at once,
 * and an owner that cannot deliver answers the sender's instance with an error message.
 *
 * Redis unreachable: commands fail fast (no offline queue), the state goes 'degraded', the hub
 * keeps serving its own clients and answers relays to anyone else with UNKNOWN_TARGET. When both
 * connections are ready again, the instance re-subscribes, re-claims every local id (ids claimed
 * elsewhere meanwhile are closed with REPLACED) and re-publishes its per-address counts.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { bytesToHex } from '../../shared/crypto/bytes';
import { cryptoRng, type Rng } from '../../shared/env/rng';
import type { Logger } from '../log';
import type { SignalMetrics } from '../metrics';
import type { Cluster, ClusterHost, ClusterState, RelayFailure } from './cluster';
import { Keys, SCRIPTS, type ScriptName } from './scripts';
import { claimInstance, decodeBus, encodeDisplace, encodeError, encodeRelay } from './wire';

export type ChannelMode = 'instance' | 'id';
export const CHANNEL_MODES: readonly ChannelMode[] = ['instance', 'id'];

export interface RedisClusterOptions {
  /** redis://[user:password@]host:port[/db] or rediss:// for TLS. */
  url: string;
  /** How relays travel between instances. @default 'instance' */
  channels?: ChannelMode;
  /** Prefix of every key and channel, so several services can share one Redis. @default 'p2p-signal:' */
  prefix?: string;
  /** Lease of a peer entry, an instance and a per-address count; renewed every leaseMs / 3, ms. @default 15000 */
  leaseMs?: number;
  /** A Redis command not answered within this fails (the relay gets an error frame), ms. @default 2000 */
  commandTimeoutMs?: number;
  metrics: SignalMetrics;
  log: Logger;
  rng?: Rng;
}

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;
/** Ids re-claimed or re-subscribed per command during a re-sync or heartbeat. */
const BATCH = 500;

export class RedisCluster implements Cluster {
  readonly instanceId: string;
  readonly channels: ChannelMode;
  private readonly keys: Keys;
  private readonly leaseMs: number;
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private host: ClusterHost | null = null;
  private _state: ClusterState = 'degraded';
  private seq = 0;
  /** Bumped at every state change, so a re-sync that was overtaken by a drop does not go 'ok'. */
  private epoch = 0;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private closing = false;

  constructor(private readonly opts: RedisClusterOptions) {
    this.instanceId = bytesToHex((opts.rng ?? cryptoRng).bytes(8));
    this.channels = opts.channels ?? 'instance';
    this.keys = new Keys(opts.prefix ?? 'p2p-signal:');
    this.leaseMs = opts.leaseMs ?? 15_000;
    const o: RedisOptions = {
      lazyConnect: true,
      // Fail fast while disconnected: a relay must get an answer now, not sit in a queue.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResubscribe: false,
      enableAutoPipelining: true,
      commandTimeout: opts.commandTimeoutMs ?? 2000,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
    };
    this.cmd = new Redis(opts.url, o);
    this.sub = new Redis(opts.url, o);
    for (const [name, s] of Object.entries(SCRIPTS)) this.cmd.defineCommand(name, { numberOfKeys: s.numberOfKeys, lua: s.lua });
    opts.metrics.cluster = { up: 0, forwarded: 0, received: 0, resyncs: 0, errors: 0 };
    for (const r of [this.cmd, this.sub]) {
      r.on('ready', () => this.maybeResync());
      r.on('close', () => this.down());
      r.on('error', (err: Error) => {
        if (this._state === 'ok') this.opts.log.warn('redis error', { err: err.message });
      });
    }
    this.sub.on('message', (_ch: string, msg: string) => this.onBus(msg));
    this.sub.on('smessage', (_ch: string, msg: string) => this.onBus(msg));
  }

  get state(): ClusterState {
    return this._state;
  }

  attach(host: ClusterHost): void {
    this.host = host;
  }

  /** Connect and join; resolves when joined, or after `timeoutMs` still degraded (it keeps retrying). */
  async start(timeoutMs = 5000): Promise<void> {
    const ready = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      const check = setInterval(() => {
        if (this._state === 'ok') {
          clearTimeout(t);
          clearInterval(check);
          resolve();
        }
      }, 10);
      setTimeout(() => clearInterval(check), timeoutMs);
    });
    this.cmd.connect().catch(() => {});
    this.sub.connect().catch(() => {});
    this.heartbeat = setInterval(() => this.beat(), Math.max(100, this.leaseMs / 3));
    this.heartbeat.unref();
    await ready;
    if (this._state !== 'ok') this.opts.log.warn('redis unreachable at start: serving local clients only', { instance: this.instanceId });
  }

  claim(nodeId: string, k: number, done: (sample: string[] | null) => void): string {
    const claim = `${this.instanceId}.${(this.seq++).toString(36)}`;
    if (this._state !== 'ok') {
      done(null);
      return claim;
    }
    const subscribed = this.channels === 'id' ? this.sub.ssubscribe(this.keys.idChannel(nodeId)) : null;
    const claimed = this.script('claim', this.keys.peer(nodeId), this.keys.peers, nodeId, claim, this.leaseMs, k);
    Promise.all([claimed, subscribed]).then(
      ([res]) => {
        const list = strings(res);
        const old = list[0] ?? '';
        const owner = claimInstance(old);
        // A newer claim displaces an older one held by another instance (a local one the hub closed already).
        if (owner && owner !== this.instanceId) this.publish(this.keys.instChannel(owner), encodeDisplace(nodeId, old));
        done(list.slice(1));
      },
      () => this.failed(() => done(null)),
    );
    return claim;
  }

  release(nodeId: string, claim: string): void {
    if (this._state !== 'ok') return;
    if (this.channels === 'id') this.sub.sunsubscribe(this.keys.idChannel(nodeId)).catch(() => this.failed());
    this.script('release', this.keys.peer(nodeId), this.keys.peers, nodeId, claim).catch(() => this.failed());
  }

  relay(to: string, frame: string, from: string, ref: number | undefined): boolean {
    if (this._state !== 'ok') return false;
    const msg = encodeRelay(to, from, this.instanceId, ref, frame);
    if (this.channels === 'id') {
      this.cmd.spublish(this.keys.idChannel(to), msg).then(
        (n) => this.relayed(Number(n) > 0, to, from, ref),
        () => this.failed(() => this.relayed(false, to, from, ref)),
      );
      return true;
    }
    // Channel per instance: this turn's relays leave together, one script call and one PUBLISH
    // per target instance, however many relays the turn holds.
    this.outbox.push({ to, from, ref, msg });
    if (this.outbox.length === 1) setImmediate(this.flush);
    return true;
  }

  private readonly outbox: { to: string; from: string; ref: number | undefined; msg: string }[] = [];
  private readonly flush = (): void => {
    const all = this.outbox.splice(0);
    for (let i = 0; i < all.length; i += BATCH) {
      const batch = all.slice(i, i + BATCH);
      this.script('relayBatch', this.keys.prefix, ...batch.map((b) => b.msg)).then(
        (res) => {
          const ok = Array.isArray(res) ? res : [];
          for (const [k, b] of batch.entries()) this.relayed(Number(ok[k]) === 1, b.to, b.from, b.ref);
        },
        () =>
          this.failed(() => {
            for (const b of batch) this.relayed(false, b.to, b.from, b.ref);
          }),
      );
    }
  };

  /** An instance received the relay (it answers failures itself), or nobody did: UNKNOWN_TARGET. */
  private relayed(ok: boolean, to: string, from: string, ref: number | undefined): void {
    if (ok) {
      this.opts.metrics.cluster!.forwarded++;
      return;
    }
    this.opts.metrics.drop('unknown_target');
    this.host?.relayFailed(from, ref, 'UNKNOWN_TARGET', to);
  }

  sample(k: number, exclude: string, done: (ids: string[] | null) => void): void {
    if (this._state !== 'ok') return done(null);
    this.script('sample', this.keys.peers, exclude, k).then(
      (res) => done(strings(res)),
      () => this.failed(() => done(null)),
    );
  }

  admitIp(ip: string, localCount: number, cap: number, done: (ok: boolean) => void): void {
    // Fail open when Redis cannot answer: the hub's local per-address cap still holds.
    if (this._state !== 'ok') return done(true);
    this.script('admitIp', this.keys.ip(ip), this.instanceId, localCount, cap, this.keys.inst(''), this.leaseMs).then(
      (r) => done(Number(r) === 1),
      () => this.failed(() => done(true)),
    );
  }

  ipCount(ip: string, count: number): void {
    if (this._state !== 'ok') return;
    this.script('ipSet', this.keys.prefix, this.instanceId, this.leaseMs, ip, count).catch(() => this.failed());
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this._state === 'ok') await this.cmd.del(this.keys.inst(this.instanceId)).catch(() => {});
    await Promise.all([this.cmd.quit().catch(() => {}), this.sub.quit().catch(() => {})]);
    this.cmd.disconnect();
    this.sub.disconnect();
  }

  /** Kill the connections without a goodbye (tests: an instance that dies). */
  crash(): void {
    this.closing = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.cmd.disconnect();
    this.sub.disconnect();
  }

  // ---- internals -------------------------------------------------------------------------

  private script(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    return (this.cmd as unknown as Record<ScriptName, ScriptFn>)[name](...args);
  }

  private publish(channel: string, msg: string): void {
    this.cmd.publish(channel, msg).catch(() => this.failed());
  }

  /** A command failed: count it, then run the fallback. */
  private failed(then?: () => void): void {
    this.opts.metrics.cluster!.errors++;
    then?.();
  }

  private onBus(text: string): void {
    if (text.includes('\n')) {
      for (const one of text.split('\n')) this.onBusOne(one);
    } else this.onBusOne(text);
  }

  private onBusOne(s: string): void {
    const host = this.host;
    const m = decodeBus(s);
    if (!host || !m) {
      this.opts.metrics.drop('bad_bus_message');
      return;
    }
    if (m.t === 'R') {
      this.opts.metrics.cluster!.received++;
      const failed: RelayFailure | null = host.deliver(m.to, m.frame);
      if (!failed) return;
      if (m.origin === this.instanceId) host.relayFailed(m.from, m.ref, failed, m.to);
      else this.publish(this.keys.instChannel(m.origin), encodeError(m.from, m.to, failed, m.ref));
    } else if (m.t === 'E') host.relayFailed(m.from, m.ref, m.code, m.target);
    else host.displace(m.nodeId, m.claim);
  }

  private setState(s: ClusterState): void {
    if (s === this._state) return;
    this._state = s;
    this.epoch++;
    this.opts.metrics.cluster!.up = s === 'ok' ? 1 : 0;
    this.host?.stateChanged(s);
  }

  private down(): void {
    if (this.closing) return;
    this.setState('degraded');
  }

  private maybeResync(): void {
    if (this.closing || this.cmd.status !== 'ready' || this.sub.status !== 'ready') return;
    const epoch = ++this.epoch;
    this.resync().then(
      () => {
        if (epoch !== this.epoch || this.cmd.status !== 'ready' || this.sub.status !== 'ready') return;
        this.opts.metrics.cluster!.resyncs++;
        this.setState('ok');
      },
      (err: unknown) => {
        this.opts.log.warn('redis re-sync failed', { err: String(err) });
        this.failed();
      },
    );
  }

  /** Re-subscribe, re-claim every local id, re-publish per-address counts. */
  private async resync(): Promise<void> {
    const host = this.host;
    if (!host) return;
    await this.sub.subscribe(this.keys.instChannel(this.instanceId));
    const snap = host.snapshot();
    if (this.channels === 'id') {
      for (let i = 0; i < snap.peers.length; i += BATCH) {
        await this.sub.ssubscribe(...snap.peers.slice(i, i + BATCH).map(([id]) => this.keys.idChannel(id)));
      }
    }
    await this.renew(snap.peers);
    await this.syncIps(snap.ips);
  }

  /** Heartbeat: renew this instance's lease, every local id's lease, every per-address count. */
  private beat(): void {
    if (this._state !== 'ok' || !this.host) return;
    const snap = this.host.snapshot();
    this.renew(snap.peers)
      .then(() => this.syncIps(snap.ips))
      .catch(() => this.failed());
  }

  private async renew(peers: [string, string][]): Promise<void> {
    const host = this.host!;
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < peers.length || i === 0; i += BATCH) {
      const args = peers.slice(i, i + BATCH).flat();
      jobs.push(
        this.script('refresh', this.keys.peers, this.keys.inst(this.instanceId), this.keys.prefix, this.leaseMs, ...args).then((lost) => {
          // Claimed by a newer connection elsewhere while we were not listening: that one wins.
          const byId = new Map(peers.slice(i, i + BATCH));
          for (const id of strings(lost)) host.displace(id, byId.get(id) ?? '');
        }),
      );
    }
    await Promise.all(jobs);
  }

  private async syncIps(ips: [string, number][]): Promise<void> {
    for (let i = 0; i < ips.length; i += BATCH) {
      await this.script('ipSet', this.keys.prefix, this.instanceId, this.leaseMs, ...ips.slice(i, i + BATCH).flat());
    }
  }
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
