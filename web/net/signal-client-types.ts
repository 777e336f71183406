/** The signaling client's options, events, errors, the WebSocket subset it needs and small helpers (signal-client.ts). */
import { sign as ed25519Sign, type KeyPair } from '../../shared/crypto/ed25519';
import type { Clock } from '../../shared/env/clock';
import type { Rng } from '../../shared/env/rng';
import type { ErrorMsg, Json, NodeIdHex, SignalErrorCode, WelcomeMsg } from '../../shared/protocol/signaling';
import type { BackoffOptions } from './backoff';

/** Handler types are declared method-style so both the DOM's and ws's event types fit. */
type Handler<E> = { bivarianceHack(ev: E): void }['bivarianceHack'];

/** The subset of the WebSocket API the client uses (DOM WebSocket and `ws` both have it). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
/** Stop listening to a socket the client has given up on. */
export function detach(ws: WebSocketLike): void {
  ws.onopen = null;
  ws.onmessage = null;
  ws.onclose = null;
  // Keep an error listener: `ws` (Node) throws on an 'error' event nobody listens to.
  ws.onerror = () => {};
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Something that can sign the hello: a key pair, or a key held elsewhere (WebCrypto, an extension). */
export interface HelloSigner {
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

export function signerFromKeyPair(kp: KeyPair): HelloSigner {
  return { publicKey: kp.publicKey, sign: (m) => ed25519Sign(m, kp.secretKey) };
}

export type SignalClientState = 'idle' | 'connecting' | 'authenticating' | 'open' | 'reconnecting' | 'closed';

export type SignalClientErrorCode = SignalErrorCode | 'NOT_CONNECTED' | 'TIMEOUT' | 'DISCONNECTED' | 'CLOSED' | 'PROTOCOL';

export class SignalClientError extends Error {
  override readonly name = 'SignalClientError';
  constructor(
    readonly code: SignalClientErrorCode,
    message?: string,
  ) {
    super(message ? `${code}: ${message}` : code);
  }
}

export interface SignalClientEvents {
  /** Every state change; `delayMs` is the backoff before the next attempt when reconnecting. */
  state: { state: SignalClientState; delayMs?: number; closeCode?: number; closeReason?: string };
  welcome: WelcomeMsg;
  relay: { from: NodeIdHex; payload: Json };
  /** Error frames from the server (UNKNOWN_TARGET carries `target`, answers carry `ref`). */
  error: ErrorMsg;
}

export interface SignalClientOptions {
  /**
   * ws:// or wss:// URL of the /signal endpoint, or several (comma-separated, or an array) of
   * instances of one service: the client starts at a random one and moves to the next after a drop.
   */
  url: string | readonly string[];
  /** The node's Ed25519 key pair, or a `signer`. */
  keyPair?: KeyPair;
  signer?: HelloSigner;
  WebSocket: WebSocketConstructor;
  /** Reconnect automatically after a drop. @default true */
  reconnect?: boolean;
  backoff?: BackoffOptions;
  /** Give up on an attempt that has not reached welcome after this, ms. @default 10000 */
  connectTimeoutMs?: number;
  /** How long a bootstrap request waits for its answer, ms. @default 10000 */
  requestTimeoutMs?: number;
  clock?: Clock;
  rng?: Rng;
}
