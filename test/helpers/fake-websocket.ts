/**
 * An in-process stand-in for the browser's WebSocket, shaped as the signaling client expects
 * (`WebSocketLike` / `WebSocketConstructor`), with the test playing the server: it accepts or
 * fails a socket, sends frames, reads what the client sent, and closes with a code. Nothing here
 * is asynchronous or timed, so tests drive time with a VirtualClock.
 */
import { bytesToHex, hexToBytes } from '../../shared/crypto/bytes';
import { nodeIdHexFromPublicKey, verify } from '../../shared/crypto/ed25519';
import {
  SIGNALING_VERSION,
  encodeMessage,
  helloSigningBytes,
  parseClientMessage,
  type ClientMessage,
  type HelloMsg,
  type ServerMessage,
  type WelcomeMsg,
} from '../../shared/protocol/signaling';
import type { WebSocketConstructor, WebSocketLike } from '../../web/net/signal-client-types';

type Handler<E> = ((ev: E) => void) | null;

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

export class FakeWebSocket implements WebSocketLike {
  readyState = CONNECTING;
  onopen: Handler<unknown> = null;
  onmessage: Handler<{ data: unknown }> = null;
  onclose: Handler<{ code: number; reason: string }> = null;
  onerror: Handler<unknown> = null;
  /** Raw frames the client sent, in order. */
  readonly sent: string[] = [];
  /** Set when the client called close(). */
  closedByClient: { code: number | undefined; reason: string | undefined } | undefined;

  constructor(readonly url: string) {}

  // ---- the client's side ----

  send(data: string): void {
    if (this.readyState !== OPEN) throw new Error('send on a socket that is not open');
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedByClient ??= { code, reason };
    this.readyState = CLOSED;
  }

  // ---- the server's side (called by tests) ----

  /** The connection opened. */
  accept(): void {
    this.readyState = OPEN;
    this.onopen?.({});
  }

  /** Send a message (or any raw frame, garbage included) to the client. */
  deliver(msg: ServerMessage | string | Uint8Array): void {
    this.onmessage?.({ data: typeof msg === 'string' || msg instanceof Uint8Array ? msg : encodeMessage(msg) });
  }

  /** The server (or the network) closed the connection. */
  drop(code = 1006, reason = ''): void {
    this.readyState = CLOSED;
    this.onerror?.({});
    this.onclose?.({ code, reason });
  }

  /** Every frame the client sent, parsed as the server would (an unparsable frame throws). */
  received(): ClientMessage[] {
    return this.sent.map((text) => {
      const p = parseClientMessage(text);
      if (!p.ok) throw new Error(`client sent a bad frame: ${p.code} ${p.detail}`);
      return p.msg;
    });
  }

  receivedOf<T extends ClientMessage['t']>(t: T): Extract<ClientMessage, { t: T }>[] {
    return this.received().filter((m): m is Extract<ClientMessage, { t: T }> => m.t === t);
  }
}

/** Hands out FakeWebSockets and keeps every one the client created. */
export class FakeSocketServer {
  readonly sockets: FakeWebSocket[] = [];
  /** Pass as the client's `WebSocket` option. */
  readonly WebSocket: WebSocketConstructor;
  /** Throw from the constructor (as a browser does for a bad URL) while set. */
  refuse = false;
  private nonces = 0;

  constructor() {
    const server = this;
    this.WebSocket = class extends FakeWebSocket {
      constructor(url: string) {
        if (server.refuse) throw new Error('refused');
        super(url);
        server.sockets.push(this);
      }
    };
  }

  get last(): FakeWebSocket {
    const ws = this.sockets[this.sockets.length - 1];
    if (!ws) throw new Error('no socket was created');
    return ws;
  }

  /** A fresh nonce (hex, 32 bytes), different on every call. */
  nonce(): string {
    const n = ++this.nonces;
    return bytesToHex(new Uint8Array(32).map((_, i) => (i === 0 ? n : (i * 31 + n) & 0xff)));
  }

  /** Open `ws` and send a challenge; returns the nonce. */
  challenge(ws: FakeWebSocket = this.last): string {
    const nonce = this.nonce();
    if (ws.readyState !== OPEN) ws.accept();
    ws.deliver({ t: 'challenge', v: SIGNALING_VERSION, nonce });
    return nonce;
  }
}

/** The node id a hello proves, or undefined when its signature does not verify for `nonce`. */
export function verifyHello(hello: HelloMsg, nonce: string): string | undefined {
  const publicKey = hexToBytes(hello.publicKey);
  return verify(hexToBytes(hello.signature), helloSigningBytes(nonce), publicKey) ? nodeIdHexFromPublicKey(publicKey) : undefined;
}

export function welcomeFor(nodeId: string, o: Partial<Omit<WelcomeMsg, 't' | 'nodeId'>> = {}): WelcomeMsg {
  return {
    t: 'welcome',
    nodeId,
    iceServers: o.iceServers ?? [],
    peers: o.peers ?? [],
    heartbeatMs: o.heartbeatMs ?? 20_000,
    limits: o.limits ?? { maxFrameBytes: 16 * 1024, ratePerSec: 20, burst: 40 },
  };
}

/** Answer the hello on `ws` (sent after `challenge`) with a welcome, if its signature verifies. */
export function welcome(ws: FakeWebSocket, nonce: string, o: Partial<Omit<WelcomeMsg, 't' | 'nodeId'>> = {}): string {
  const hello = ws.receivedOf('hello').at(-1);
  if (!hello) throw new Error('the client sent no hello');
  const nodeId = verifyHello(hello, nonce);
  if (!nodeId) throw new Error('the hello signature does not verify');
  ws.deliver(welcomeFor(nodeId, o));
  return nodeId;
}

/** Let pending promise callbacks run (the client signs its hello asynchronously). Not a timer. */
export function settleMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
