/**
 * Client for the signaling/bootstrap server (protocol: shared/protocol/signaling.ts, docs/signaling.md).
 * Platform-neutral: pass the WebSocket constructor (the browser's, or `ws` in Node). It answers the
 * server's challenge with a signed hello, asks for bootstrap samples, relays opaque payloads,
 * keeps the connection alive with pings, and reconnects with exponential backoff and jitter, to
 * the next of its URLs when it has several (instances of one service: signal-urls.ts), so it
 * re-registers elsewhere when its instance dies. WebRTC connections never depend on this socket.
 * It also implements the transport's `Signaler` (web/net/signaler.ts) over the relay. TURN
 * credentials on request are signal-turn.ts; requests awaiting answers, pending-requests.ts;
 * event listeners, listeners.ts.
 *   const c = new SignalClient({ url: 'wss://a.example.org/signal,wss://b.example.org/signal', keyPair, WebSocket });
 *   c.on('relay', ({ from, payload }) => ...);
 *   const peers = (await c.connect()).peers; // later: await c.bootstrap()
 *   c.relay(peers[0], { sid, data: offer });
 */
import { nodeIdHexFromPublicKey } from '../../shared/crypto/ed25519';
import { bytesToHex } from '../../shared/crypto/bytes';
import { systemClock, type Clock, type TimerHandle } from '../../shared/env/clock';
import { cryptoRng } from '../../shared/env/rng';
import type { PeerId } from '../../shared/env/transport';
import {
  CLOSE_CODES,
  MAX_REQUEST_ID,
  SIGNALING_VERSION,
  encodeMessage,
  helloSigningBytes,
  parseServerMessage,
  type ClientMessage,
  type IceServer,
  type Json,
  type NodeIdHex,
  type ServerMessage,
  type WelcomeMsg,
} from '../../shared/protocol/signaling';
import { Backoff } from './backoff';
import { Listeners, type Listener } from './listeners';
import { PendingRequests } from './pending-requests';
import { SignalUrls } from './signal-urls';
import { parseSignalPayload, type SignalHandler, type SignalPayload, type Signaler } from './signaler';
import { SignalTurn } from './signal-turn';

export { SignalClientError, signerFromKeyPair } from './signal-client-types';
export type {
  WebSocketLike,
  WebSocketConstructor,
  HelloSigner,
  SignalClientState,
  SignalClientErrorCode,
  SignalClientEvents,
  SignalClientOptions,
} from './signal-client-types';
import {
  SignalClientError,
  detach,
  signerFromKeyPair,
  type WebSocketLike,
  type HelloSigner,
  type SignalClientState,
  type SignalClientEvents,
  type SignalClientOptions,
} from './signal-client-types';

const OPEN = 1;
/** Close code the client uses when it gives up on a silent server (private range, not sent by servers). */
const CLIENT_TIMEOUT_CLOSE = 4100;

export class SignalClient implements Signaler {
  readonly nodeId: NodeIdHex;
  private readonly signer: HelloSigner;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly urls: SignalUrls;
  private readonly listeners = new Listeners<SignalClientEvents>();
  private ws: WebSocketLike | null = null;
  private _state: SignalClientState = 'idle';
  private _welcome: WelcomeMsg | null = null;
  private timer: TimerHandle | null = null;
  private heartbeat: TimerHandle | null = null;
  private lastHeard = 0;
  private nextId = 1;
  /** `bootstrap()` calls in flight. */
  private readonly pending: PendingRequests<NodeIdHex[]>;
  private waiters: { resolve(w: WelcomeMsg): void; reject(e: Error): void }[] = [];
  private signalHandler: SignalHandler | null = null;
  /** The held welcome (welcome.turn) and `turnCredentials()` calls in flight. */
  private readonly turn: SignalTurn;
  /** Counters for dropped input (remote garbage is counted, never thrown). */
  readonly dropped = { malformed: 0, badSignal: 0 };

  constructor(private readonly opts: SignalClientOptions) {
    const signer = opts.signer ?? (opts.keyPair ? signerFromKeyPair(opts.keyPair) : null);
    if (!signer) throw new SignalClientError('PROTOCOL', 'keyPair or signer required');
    this.signer = signer;
    this.nodeId = nodeIdHexFromPublicKey(signer.publicKey);
    this.clock = opts.clock ?? systemClock;
    this.backoff = new Backoff({ ...opts.backoff, ...(opts.rng ? { rng: opts.rng } : {}) });
    this.urls = new SignalUrls(opts.url, opts.rng ?? cryptoRng);
    this.pending = new PendingRequests(this.clock);
    this.turn = new SignalTurn(this.clock, {
      takeId: () => this.takeId(),
      send: (msg) => this.sendMsg(msg),
      welcomed: (welcome) => this.welcomed(welcome),
    });
  }

  /** The endpoint in use, or tried next. */
  get url(): string {
    return this.urls.current;
  }

  get state(): SignalClientState {
    return this._state;
  }
  /** The last welcome (ICE servers, limits), or null before the first one. */
  get welcome(): WelcomeMsg | null {
    return this._welcome;
  }

  on<K extends keyof SignalClientEvents>(event: K, fn: Listener<SignalClientEvents[K]>): () => void {
    return this.listeners.on(event, fn);
  }
  off<K extends keyof SignalClientEvents>(event: K, fn: Listener<SignalClientEvents[K]>): void {
    this.listeners.off(event, fn);
  }

  /** Open (if idle) and resolve at the next welcome. Rejects if the client is closed first. */
  connect(): Promise<WelcomeMsg> {
    if (this._state === 'closed') return Promise.reject(new SignalClientError('CLOSED'));
    if (this._state === 'open' && this._welcome) return Promise.resolve(this._welcome);
    const p = new Promise<WelcomeMsg>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this._state === 'idle') this.open();
    return p;
  }

  /** A fresh random sample (<= 8) of other live node ids. */
  bootstrap(): Promise<NodeIdHex[]> {
    if (this._state !== 'open') return Promise.reject(new SignalClientError('NOT_CONNECTED'));
    const id = this.takeId();
    const p = this.pending.add(id, this.opts.requestTimeoutMs ?? 10_000, 'bootstrap');
    this.sendMsg({ t: 'bootstrap', id });
    return p;
  }

  /**
   * Send an opaque JSON payload to node `to`. Returns the request id (echoed as `ref` in an
   * error event if the target is unknown), or -1 if not connected.
   */
  relay(to: NodeIdHex, payload: Json): number {
    if (this._state !== 'open') return -1;
    const id = this.takeId();
    this.sendMsg({ t: 'relay', to, payload, id });
    return id;
  }

  /**
   * Fresh TURN credentials (when the welcome said `turn`), e.g. before the ones from the welcome
   * expire (`--turn-ttl`, 1 h by default). Rate-limited by the server: rejects with RATE_LIMITED.
   */
  turnCredentials(): Promise<IceServer[]> {
    if (this._state !== 'open') return Promise.reject(new SignalClientError('NOT_CONNECTED'));
    return this.turn.request(this.opts.requestTimeoutMs ?? 10_000);
  }

  /** Signaler: best effort, never throws. */
  send(to: PeerId, signal: SignalPayload): void {
    this.relay(to, signal as unknown as Json);
  }

  /** Signaler: the single handler for signals relayed to this node (malformed ones are dropped and counted). */
  onSignal(handler: SignalHandler): void {
    this.signalHandler = handler;
  }

  /** Close for good (no reconnect). */
  close(): void {
    if (this._state === 'closed') return;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      detach(ws);
      try {
        ws.close(1000, 'client closed');
      } catch {
        // already closing
      }
    }
    this.failPending(new SignalClientError('CLOSED'));
    this.failWaiters(new SignalClientError('CLOSED'));
    this.setState({ state: 'closed' });
  }

  // ---- internals -------------------------------------------------------------------------

  private open(): void {
    this.setState({ state: 'connecting' });
    let ws: WebSocketLike;
    try {
      ws = new this.opts.WebSocket(this.urls.current);
    } catch {
      return this.dropped_(1006, 'constructor failed');
    }
    this.ws = ws;
    this.timer = this.clock.setTimeout(() => this.abort(ws, 'connect timeout'), this.opts.connectTimeoutMs ?? 10_000);
    ws.onopen = () => {
      if (this.ws === ws) this.setState({ state: 'authenticating' });
    };
    ws.onmessage = (ev) => {
      if (this.ws === ws) this.onFrame(ev.data);
    };
    ws.onerror = () => {
      // onclose follows; nothing to do here.
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      detach(ws);
      this.ws = null;
      this.dropped_(ev.code, ev.reason);
    };
  }

  private onFrame(data: unknown): void {
    if (typeof data !== 'string') {
      this.dropped.malformed++;
      return;
    }
    const p = parseServerMessage(data);
    if (!p.ok) {
      this.dropped.malformed++;
      return;
    }
    this.lastHeard = this.clock.now();
    this.handle(p.msg);
  }

  private handle(msg: ServerMessage): void {
    switch (msg.t) {
      case 'challenge':
        if (msg.v !== SIGNALING_VERSION || this._state === 'open') {
          this.dropped.malformed++;
          return;
        }
        void this.hello(msg.nonce);
        return;
      case 'welcome':
        if (msg.nodeId !== this.nodeId) {
          this.dropped.malformed++;
          return;
        }
        if (msg.turn) return this.turn.ask(msg);
        return this.welcomed(msg);
      case 'turn':
        return this.turn.answer(msg);
      case 'peers':
        return this.pending.resolve(msg.id, msg.peers);
      case 'relay':
        this.emit('relay', { from: msg.from, payload: msg.payload });
        if (this.signalHandler) {
          const sig = parseSignalPayload(msg.payload);
          if (sig) this.signalHandler(msg.from, sig);
          else this.dropped.badSignal++;
        }
        return;
      case 'ping':
        this.sendMsg(msg.id === undefined ? { t: 'pong' } : { t: 'pong', id: msg.id });
        return;
      case 'pong':
        return;
      case 'error':
        this.turn.refused(msg);
        this.pending.reject(msg.ref, new SignalClientError(msg.code, msg.message));
        this.emit('error', msg);
        return;
    }
  }

  private async hello(nonce: string): Promise<void> {
    const ws = this.ws;
    let signature: Uint8Array;
    try {
      signature = await this.signer.sign(helloSigningBytes(nonce));
    } catch {
      if (ws) this.abort(ws, 'signer failed');
      return;
    }
    if (this.ws !== ws) return;
    this.sendMsg({ t: 'hello', publicKey: bytesToHex(this.signer.publicKey), signature: bytesToHex(signature) });
  }

  private welcomed(msg: WelcomeMsg): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this._welcome = msg;
    this.backoff.reset();
    this.setState({ state: 'open' });
    this.startHeartbeat(msg.heartbeatMs);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve(msg);
    this.emit('welcome', msg);
  }

  /** One heartbeat loop at a time: a repeated welcome restarts it rather than adding another. */
  private startHeartbeat(everyMs: number): void {
    if (this.heartbeat !== null) this.clock.clearTimeout(this.heartbeat);
    const every = Math.max(100, everyMs);
    const beat = (): void => {
      const ws = this.ws;
      if (!ws || this._state !== 'open') return;
      if (this.clock.now() - this.lastHeard > 2 * every) return this.abort(ws, 'server silent');
      this.sendMsg({ t: 'ping' });
      this.heartbeat = this.clock.setTimeout(beat, every);
    };
    this.heartbeat = this.clock.setTimeout(beat, every);
  }

  /** Give up on this socket and go through the normal drop path. */
  private abort(ws: WebSocketLike, reason: string): void {
    if (this.ws !== ws) return;
    detach(ws);
    this.ws = null;
    try {
      ws.close(CLIENT_TIMEOUT_CLOSE, reason);
    } catch {
      // ignore
    }
    this.dropped_(CLIENT_TIMEOUT_CLOSE, reason);
  }

  /** The socket is gone: fail requests, then reconnect with backoff unless told not to. */
  private dropped_(code: number, reason: string): void {
    this.clearTimers();
    this.failPending(new SignalClientError('DISCONNECTED', reason));
    if (this._state === 'closed') return;
    const replaced = code === CLOSE_CODES.REPLACED;
    if (replaced || this.opts.reconnect === false) {
      this.failWaiters(new SignalClientError(replaced ? 'REPLACED' : 'DISCONNECTED', reason));
      this.setState({ state: 'closed', closeCode: code, closeReason: reason });
      return;
    }
    const delayMs = this.backoff.next();
    this.urls.advance();
    this.setState({ state: 'reconnecting', delayMs, closeCode: code, closeReason: reason });
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (this._state === 'reconnecting') this.open();
    }, delayMs);
  }

  private sendMsg(msg: ClientMessage): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== OPEN) return;
    try {
      ws.send(encodeMessage(msg));
    } catch {
      // the close event will follow
    }
  }

  private takeId(): number {
    const id = this.nextId;
    this.nextId = id >= MAX_REQUEST_ID ? 1 : id + 1;
    return id;
  }

  private clearTimers(): void {
    this.turn.clear();
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    if (this.heartbeat !== null) this.clock.clearTimeout(this.heartbeat);
    this.timer = null;
    this.heartbeat = null;
  }

  private failPending(err: Error): void {
    this.pending.failAll(err);
    this.turn.failAll(err);
  }

  private failWaiters(err: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(err);
  }

  private setState(ev: SignalClientEvents['state']): void {
    this._state = ev.state;
    this.emit('state', ev);
  }

  private emit<K extends keyof SignalClientEvents>(event: K, ev: SignalClientEvents[K]): void {
    this.listeners.emit(event, ev);
  }
}
