/**
 * The node runtime: everything a browser tab (or the headless Node peer) runs to be a DHT node.
 *
 *   identity (Ed25519 key pair, injected)  ─┐
 *   RecordStore (IndexedDB / files) ─ RecordTable, SeqCounter
 *   SignalClient (WebSocket ctor injected) ─┐
 *   OverlaySignaler + OverlayRouter ────────┴─ SignalPaths (overlay first, server fallback)
 *   WebRtcTransport (wrtc injected in Node; ICE servers from the welcome; connection budget)
 *   DhtNode (id = SHA-1(publicKey), which must solve the node-id puzzle) + DhtValues + OverlayRouter
 *
 * It joins through the server's welcome sample, re-joins whenever the server welcomes it again
 * (after a restart), keeps the links the LinkKeeper wants (closest neighbours and one per farther
 * bucket) protected and connected in the transport's budget, so greedy overlay routing always has
 * a next hop, tunnels RPCs to everyone else over those links instead of dialing them (the tab's
 * lifetime RTCPeerConnection budget lasts), and reports a status.
 *
 * Strings given as salt or value are encoded as UTF-8; Uint8Arrays are used as they are.
 */
import { bytesToHex, hexToBytes, utf8 } from '../../shared/crypto/bytes';
import type { KeyPair } from '../../shared/crypto/ed25519';
import { NODE_PUZZLE_BITS } from '../../shared/dht/constants';
import { puzzleNodeId } from '../../shared/dht/node-puzzle';
import { systemClock, type Clock, type TimerHandle } from '../../shared/env/clock';
import { cryptoRng } from '../../shared/env/rng';
import { callSafely } from '../../shared/env/safe-call';
import type { PeerId } from '../../shared/env/transport';
import { DhtError } from '../../shared/dht/errors';
import { DhtNode } from '../../shared/dht/node';
import type { LinkKeeper } from '../../shared/overlay/link-keeper';
import type { OverlayRouter } from '../../shared/overlay/overlay-router';
import { createOverlay } from '../../shared/overlay/setup';
import { ed25519NodeAuth } from '../../shared/dht/node-auth';
import type { RequestTunnel } from '../../shared/overlay/tunnel';
import { DhtValues } from '../../shared/records/values';
import { mutableTarget, signMutable } from '../../shared/records/bep44';
import { RecordTable } from '../../shared/records/record-table';
import { SeqCounter } from '../../shared/records/seq-floor';
import { SignalClient } from '../net/signal-client';
import { WebRtcTransport } from '../net/webrtc-transport';
import { RUNTIME_DEFAULTS } from './constants';
import { SignalPaths } from './signal-paths';
import { nodeStats } from './stats';
import { logLookups } from './lookup-log';
import { keepTurnFresh } from './turn-refresh';
import { StatusFeed } from './status-feed';
import { Latch } from '../../shared/env/latch';

export type { NodePhase, NodeStatus, StartNodeOptions, PutAnswer, GetAnswer, NodeStats } from './types';
import type { NodePhase, NodeStatus, StartNodeOptions, PutAnswer, GetAnswer, NodeStats } from './types';

type Bytesish = string | Uint8Array;
const refusedAny = (refused: Record<string, number | undefined>): boolean => Object.values(refused).some((n) => n);
const toBytes = (x: Bytesish): Uint8Array => (typeof x === 'string' ? utf8.encode(x) : x);
const HEX40 = /^[0-9a-f]{40}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export class P2PNode {
  readonly id: string;
  /** Ed25519 public key, hex. */
  readonly publicKey: string;
  readonly dht: DhtNode;
  readonly values: DhtValues;
  readonly table: RecordTable;
  readonly transport: WebRtcTransport;
  readonly client: SignalClient;
  readonly router: OverlayRouter;
  readonly tunnel: RequestTunnel | undefined;
  readonly links: LinkKeeper;
  readonly paths: SignalPaths;
  private readonly seq: SeqCounter;
  private readonly clock: Clock;
  private readonly keyPair: KeyPair;
  private readonly feed = new StatusFeed(() => this.status);
  private phase: NodePhase = 'connecting';
  private joining = false;
  /** The first join done; its own lookup done (lookups work from here, before the bucket refreshes). */
  private readonly joinedLatch = new Latch();
  private readonly locatedLatch = new Latch();
  private tickTimer: TimerHandle | undefined;
  private aloneTimer: TimerHandle | undefined;
  private aloneDelay: number = RUNTIME_DEFAULTS.aloneRetryMs.first;
  private ticks = 0;
  private welcomes = 0;
  private joins = 0;
  private protectedNow: ReadonlySet<PeerId> = new Set<PeerId>();
  private closed = false;
  private readonly closeHooks: Array<() => void> = [];
  private readonly startedAt: number;
  private joinedAfterMs: number | undefined;

  /** Use `startNode`. */
  constructor(
    private readonly opts: StartNodeOptions,
    table: RecordTable,
  ) {
    this.keyPair = opts.keyPair;
    this.clock = opts.clock ?? systemClock;
    this.startedAt = this.clock.now();
    const rng = opts.rng ?? cryptoRng;
    const puzzleBits = opts.dht?.puzzleBits ?? NODE_PUZZLE_BITS;
    const idBytes = puzzleNodeId(opts.keyPair.publicKey, puzzleBits);
    this.id = bytesToHex(idBytes);
    this.publicKey = bytesToHex(opts.keyPair.publicKey);
    this.table = table;
    this.seq = new SeqCounter({ store: opts.store, clock: this.clock }, this.publicKey);
    this.client = new SignalClient({
      url: opts.signalUrl,
      keyPair: opts.keyPair,
      WebSocket: opts.WebSocket,
      clock: this.clock,
      rng,
      backoff: opts.backoff ?? RUNTIME_DEFAULTS.backoff,
    });
    this.paths = new SignalPaths({ keys: opts.keyPair, clock: this.clock, rng, client: this.client, puzzleBits });
    this.transport = new WebRtcTransport(
      { id: this.id, signaler: this.paths, clock: this.clock, rng, ...(opts.wrtc ? { wrtc: opts.wrtc } : {}) },
      { connectTimeoutMs: RUNTIME_DEFAULTS.connectTimeoutMs, trickle: false, ...opts.transport },
    );
    this.dht = new DhtNode(
      { transport: this.transport, clock: this.clock, rng },
      { minTimeoutMs: RUNTIME_DEFAULTS.minTimeoutMs, ...opts.dht, puzzleBits, id: idBytes },
    );
    this.values = new DhtValues(this.dht, table, { replicas: RUNTIME_DEFAULTS.replicas, ...opts.values });
    const overlay = createOverlay(
      this.dht,
      {
        connectedPeers: () => this.transport.peers(),
        isConnected: (p) => this.transport.isConnected(p),
        setWanted: (w) => this.setWanted(w),
        deliver: (payload) => this.paths.receive(payload),
        auth: ed25519NodeAuth(opts.keyPair),
      },
      {
        maxOpen: this.transport.pool.init.maxOpen,
        router: opts.overlay,
        tunnel: opts.tunnel,
        ...(opts.links ? { links: opts.links } : {}),
      },
    );
    this.router = overlay.router;
    this.tunnel = overlay.tunnel;
    this.links = overlay.keeper;
    this.paths.attach(this.router);
    this.transport.onPeerUp(() => this.emitStatus());
    this.transport.onPeerDown(() => this.emitStatus());
    this.client.on('state', () => this.emitStatus());
    const turn = keepTurnFresh(this.client, (s) => this.transport.setIceServers(s), this.clock, opts.transport?.iceServers ?? []);
    this.closeHooks.push(() => turn.stop());
    this.client.on('welcome', (w) => {
      this.welcomes++;
      turn.welcome(w);
      this.log('welcome', { peers: w.peers.length, iceServers: w.iceServers.length });
      this.joinWith(w.peers);
    });
  }

  /** Called by startNode once the table is loaded. */
  start(): void {
    this.emitStatus();
    this.client.connect().catch(() => {
      /* reconnects by itself; a closed client just ends here */
    });
    this.scheduleTick();
  }

  // ---- the console API ---------------------------------------------------------------------

  /** Resolves once the node has joined (rejects if it is closed first). */
  ready(): Promise<void> {
    return this.joinedLatch.wait();
  }

  /** Resolves once the first join's own lookup is done (rejects if closed first): lookups work from
   * here, while the bucket refreshes that finish the join run on. The chat starts here. */
  located(): Promise<void> {
    return this.locatedLatch.wait();
  }

  get status(): NodeStatus {
    return {
      phase: this.phase,
      signal: this.client.state,
      peers: this.transport.peers().length,
      contacts: this.dht.table.size,
      records: this.table.size,
      ownRecords: this.table.ownCount,
    };
  }

  /** Subscribe to status changes (called at once with the current status). Returns unsubscribe. */
  onStatus(fn: (s: NodeStatus) => void): () => void {
    return this.feed.on(fn);
  }

  /**
   * Sign `value` under this node's key at `salt` with the next seq (never lower than any seq this
   * identity used before, even across reloads) and store it locally and on the k closest nodes.
   */
  async put(salt: Bytesish, value: Bytesish): Promise<PutAnswer> {
    this.assertOpen();
    const s = toBytes(salt);
    const v = toBytes(value);
    const target = mutableTarget(this.keyPair.publicKey, s);
    const held = this.table.get(target);
    if (held?.type === 'mutable') await this.seq.observe(s, held.seq);
    const seq = await this.seq.next(s);
    const record = signMutable({ secretKey: this.keyPair.secretKey, salt: s, seq, value: v });
    let r = await this.values.put(record, { own: true });
    // Nobody answered (just rejoined, links still dialing): try again a few times before
    // leaving it to the republish timer. Refusals are answers, not silence.
    for (let i = 0; i < RUNTIME_DEFAULTS.putRetries && r.replicas === 0 && !refusedAny(r.refused) && this.dht.table.size > 0; i++) {
      await new Promise<void>((res) => this.clock.setTimeout(res, RUNTIME_DEFAULTS.putRetryMs));
      if (this.closed) break;
      r = await this.values.put(record, { own: true });
    }
    this.emitStatus();
    if (r.replicas === 0 && refusedAny(r.refused)) throw DhtError.storeRefused(r.refused);
    return { target: bytesToHex(target), seq, replicas: r.replicas };
  }

  /** The newest record of `publicKeyHex` at `salt` that the closest nodes (or we) hold, or null. */
  async get(publicKeyHex: string, salt: Bytesish): Promise<GetAnswer | null> {
    this.assertOpen();
    if (typeof publicKeyHex !== 'string' || !HEX64.test(publicKeyHex))
      throw DhtError.badArgument('publicKeyHex must be 64 lower-case hex chars');
    const target = mutableTarget(hexToBytes(publicKeyHex), toBytes(salt));
    const r = await this.values.get(target);
    const rec = r.record;
    if (rec?.type !== 'mutable') return null;
    return { value: new TextDecoder('utf-8').decode(rec.v), valueHex: bytesToHex(rec.v), seq: rec.seq, replicas: r.replicas };
  }

  /** Peers with an open data channel. */
  peers(): PeerId[] {
    return this.transport.peers();
  }

  /** Open a data channel to `peer` (debugging; the DHT connects on demand anyway). */
  connect(peer: PeerId): Promise<void> {
    if (!HEX40.test(peer)) return Promise.reject(DhtError.badArgument('peer must be a 40-hex node id'));
    return this.transport.connect(peer);
  }

  /** Close the data channel to `peer` deliberately (debugging, tests). */
  disconnect(peer: PeerId): void {
    this.transport.close(peer);
  }

  stats(): NodeStats {
    const s = nodeStats(this, { joinedAfterMs: this.joinedAfterMs, welcomes: this.welcomes, joins: this.joins });
    const chat = this.chatStats?.();
    return chat ? { ...s, chat } : s;
  }

  /** The chat layer running on this node, for stats() (web/runtime/chat.ts sets it). */
  chatStats: (() => Record<string, number>) | undefined;

  /** Called once when the node closes (the chat layer stops with it). */
  onClose(fn: () => void): void {
    this.closeHooks.push(fn);
  }

  /** Stop everything and flush pending writes. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A hook's bug must not keep the node open.
    for (const fn of this.closeHooks.splice(0)) callSafely(fn);
    if (this.tickTimer !== undefined) this.clock.clearTimeout(this.tickTimer);
    if (this.aloneTimer !== undefined) this.clock.clearTimeout(this.aloneTimer);
    this.values.stop();
    this.dht.destroy();
    // Our peers read a BYE before our channels go, so none of them sends into a closing one (a
    // send that races its channel's close can crash Node's @roamhq/wrtc: the headless peer).
    const left = this.transport.leave();
    this.client.close();
    this.phase = 'closed';
    this.joinedLatch.fail(DhtError.closed());
    this.locatedLatch.fail(DhtError.closed());
    this.emitStatus();
    await Promise.all([left, this.table.flush()]);
  }

  // ---- joining --------------------------------------------------------------------------------

  private joinWith(sample: string[]): void {
    if (this.closed || this.joining) return;
    const seeds = sample.filter((p) => HEX40.test(p) && p !== this.id);
    // Our bootstrap sample has a reason to call us back (the transport's strangers' budget).
    for (const p of seeds) this.transport.pool.allow(p, this.clock.now() + RUNTIME_DEFAULTS.sampleAllowMs);
    this.joining = true;
    if (!this.joinedLatch.isOpen) this.setPhase('bootstrapping');
    this.dht.join(
      seeds.map((p) => hexToBytes(p)),
      (r) => {
        this.joining = false;
        if (this.closed) return;
        this.joins++;
        this.log('joined', { contacts: r.contacts, seeds: seeds.length, lookups: r.lookups });
        const first = !this.joinedLatch.isOpen;
        if (first) this.joinedAfterMs = this.clock.now() - this.startedAt;
        this.setPhase('joined');
        this.locatedLatch.open();
        this.joinedLatch.open();
        this.links.maintain();
        // After a reload or restart: store our own records (loaded from the store) on the current
        // closest nodes again, in case the network lost or never got them. Bounded by maxOwn;
        // replicas we hold are re-replicated by DhtValues' own timer.
        if (first && this.table.ownCount > 0 && this.dht.table.size > 0) this.values.republishOwn();
        if (this.dht.table.size === 0) this.scheduleAloneRetry();
      },
      () => {
        if (!this.closed && this.dht.table.size > 0) this.locatedLatch.open();
      },
    );
  }

  /** Alone (first node, or every seed failed): ask the server for a fresh sample, backing off. */
  private scheduleAloneRetry(): void {
    if (this.aloneTimer !== undefined || this.closed) return;
    const delay = this.aloneDelay;
    this.aloneDelay = Math.min(RUNTIME_DEFAULTS.aloneRetryMs.max, this.aloneDelay * 2);
    this.aloneTimer = this.clock.setTimeout(() => {
      this.aloneTimer = undefined;
      if (this.closed || this.dht.table.size > 0) {
        this.aloneDelay = RUNTIME_DEFAULTS.aloneRetryMs.first;
        return;
      }
      if (this.client.state !== 'open') return this.scheduleAloneRetry();
      this.client.bootstrap().then(
        (peers) => {
          if (peers.length > 0) this.joinWith(peers);
          else this.scheduleAloneRetry();
        },
        () => this.scheduleAloneRetry(),
      );
    }, delay);
  }

  // ---- maintenance ----------------------------------------------------------------------------

  private scheduleTick(): void {
    this.tickTimer = this.clock.setTimeout(() => {
      if (this.closed) return;
      this.ticks++;
      if (this.joinedLatch.isOpen && this.ticks % RUNTIME_DEFAULTS.linkCheckTicks === 0) this.links.maintain();
      this.emitStatus();
      this.scheduleTick();
    }, this.opts.tickMs ?? RUNTIME_DEFAULTS.tickMs);
  }

  /** The LinkKeeper's choice: protect it in the connection budget (the keeper dials what is missing). */
  private setWanted(want: ReadonlySet<PeerId>): void {
    for (const p of this.protectedNow) if (!want.has(p)) this.transport.unprotect(p, 'routing');
    for (const p of want) if (!this.protectedNow.has(p)) this.transport.protect(p, 'routing');
    this.protectedNow = new Set(want);
  }

  private setPhase(p: NodePhase): void {
    if (this.phase === 'closed') return;
    this.phase = p;
    this.emitStatus();
  }

  private emitStatus(): void {
    this.feed.emit();
  }

  private assertOpen(): void {
    if (this.closed) throw DhtError.closed();
  }

  private log(msg: string, fields?: Record<string, unknown>): void {
    callSafely(() => this.opts.log?.(msg, fields));
  }
}

/**
 * Build and start a node: loads the records from the store, connects to the signaling server
 * and joins in the background. Resolves as soon as the node is running; await `node.ready()` for
 * the join. The key pair may still be loading: the records load meanwhile.
 */
export async function startNode(opts: Omit<StartNodeOptions, 'keyPair'> & { keyPair: KeyPair | Promise<KeyPair> }): Promise<P2PNode> {
  const clock = opts.clock ?? systemClock;
  const table = new RecordTable({ clock, store: opts.store }, opts.records);
  const [keyPair] = await Promise.all([opts.keyPair, table.load()]);
  const node = new P2PNode({ ...opts, keyPair }, table);
  logLookups(node.dht);
  node.start();
  return node;
}
