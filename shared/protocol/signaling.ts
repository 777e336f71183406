/**
 * The signaling/bootstrap wire protocol, shared by the browser client (web/net/signal-client.ts)
 * and the server (signal-server/). JSON text frames, one message per frame, tagged by `t`.
 * No DOM, no Node APIs: both sides import these types and these validating parsers.
 * Documented in docs/signaling.md.
 *
 *   server -> client   challenge {v, nonce}
 *   client -> server   hello {publicKey, signature}      signature = Ed25519(helloSigningBytes(nonce))
 *   server -> client   welcome {nodeId, iceServers, peers, heartbeatMs, limits}
 *   client -> server   bootstrap {id?}                    -> peers {id?, peers}
 *   client -> server   relay {to, payload, id?}           -> (to `to`) relay {from, payload}
 *   client -> server   turn {id?}                         -> turn {id?, iceServers, ttlSec}   (when welcome said turn: true)
 *   either way         ping {id?} -> pong {id?}
 *   server -> client   error {code, message?, ref?, target?}
 */
import { utf8 } from '../crypto/bytes';

export const SIGNALING_VERSION = 1;
/** Path of the WebSocket endpoint on the server. */
export const SIGNAL_PATH = '/signal';
/** Domain separation for the hello signature; never reuse this key's signatures elsewhere. */
export const HELLO_DOMAIN = 'p2p-chat/signaling/v1/hello';

/** Hard bounds the parser enforces (the server may be configured lower, never higher). */
export const MAX_FRAME_BYTES = 16 * 1024;
export const MAX_BOOTSTRAP_PEERS = 8;
/** Client-chosen request ids are small non-negative integers, echoed back as `ref`/`id`. */
export const MAX_REQUEST_ID = 2 ** 31 - 1;

/** Node ids: SHA-1 of the Ed25519 public key, 40 lower-case hex chars. */
export const NODE_ID_RE = /^[0-9a-f]{40}$/;
const HEX64_RE = /^[0-9a-f]{64}$/;
const HEX128_RE = /^[0-9a-f]{128}$/;
const NONCE_RE = /^[0-9a-f]{32,128}$/;

export type NodeIdHex = string;

/** Every error frame and every policy close carries one of these codes. */
export const SIGNAL_ERROR_CODES = [
  'MALFORMED', // not JSON, not an object, a binary frame, or a field of the wrong shape
  'OVERSIZED', // frame larger than maxFrameBytes (the connection is closed with 1009)
  'UNKNOWN_TYPE', // `t` is not a message type this server knows
  'UNKNOWN_TARGET', // relay to a node id that is not connected
  'TARGET_BUSY', // the target's inbound budget or send backlog is full: this relay was dropped, retry later
  'RATE_LIMITED', // token bucket empty: the message was dropped and reading paused
  'SERVER_FULL', // global connection cap reached (close 1013)
  'IP_LIMIT', // per-address connection cap reached (close 1013)
  'HELLO_TIMEOUT', // no hello within helloTimeoutMs
  'IDLE_TIMEOUT', // nothing heard (not even a pong) within idleTimeoutMs
  'SLOW_CONSUMER', // the client does not read: its send buffer passed maxBufferedBytes
  'BAD_SIGNATURE', // hello signature does not verify for the challenge (close 1008)
  'WEAK_ID', // the hello's node id does not solve the server's node-id puzzle (close 1008)
  'NOT_AUTHENTICATED', // a message other than hello/ping before a successful hello
  'ALREADY_AUTHENTICATED', // a second hello on the same connection
  'REPLACED', // the same node id proved its key on a newer connection (close 4000)
  'ORIGIN_FORBIDDEN', // Origin header not in the allowed list (HTTP 403 at upgrade)
  'GOING_AWAY', // server shutting down (close 1001)
  'INTERNAL', // a server bug; the connection is closed with 1011
] as const;
export type SignalErrorCode = (typeof SIGNAL_ERROR_CODES)[number];
const ERROR_CODE_SET: ReadonlySet<string> = new Set(SIGNAL_ERROR_CODES);

/** WebSocket close codes the server uses; the close reason is the SignalErrorCode. */
export const CLOSE_CODES = {
  GOING_AWAY: 1001,
  POLICY: 1008, // BAD_SIGNATURE, HELLO_TIMEOUT, IDLE_TIMEOUT, SLOW_CONSUMER, MALFORMED hello
  TOO_BIG: 1009, // OVERSIZED
  INTERNAL: 1011,
  TRY_AGAIN_LATER: 1013, // SERVER_FULL, IP_LIMIT
  REPLACED: 4000, // the client must not reconnect automatically: another session owns the id
} as const;

/** A JSON value: what a relay payload may be (SDP offer/answer, ICE candidates...). Opaque to the server. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** RTCIceServer, as handed to RTCPeerConnection. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface SignalLimits {
  maxFrameBytes: number;
  /** Token bucket: sustained messages per second, and burst size. */
  ratePerSec: number;
  burst: number;
}

// ---- server -> client -------------------------------------------------------------------

export interface ChallengeMsg {
  t: 'challenge';
  v: number;
  /** Random hex, 16..64 bytes. Sign helloSigningBytes(nonce). */
  nonce: string;
}
export interface WelcomeMsg {
  t: 'welcome';
  nodeId: NodeIdHex;
  iceServers: IceServer[];
  /** A random sample (<= 8) of other connected node ids. */
  peers: NodeIdHex[];
  /** The client should send a ping at least this often; the server drops it after ~2x silence. */
  heartbeatMs: number;
  limits: SignalLimits;
  /** The server mints TURN credentials on request (`turn`); they are not in iceServers. */
  turn?: boolean;
}
export interface PeersMsg {
  t: 'peers';
  id?: number;
  peers: NodeIdHex[];
}
export interface RelayInMsg {
  t: 'relay';
  /** Set by the server from the sender's authenticated id; never from client input. */
  from: NodeIdHex;
  payload: Json;
}
export interface PongMsg {
  t: 'pong';
  id?: number;
}
export interface PingMsg {
  t: 'ping';
  id?: number;
}
export interface ErrorMsg {
  t: 'error';
  code: SignalErrorCode;
  message?: string;
  /** The `id` of the client request this answers, when it had one. */
  ref?: number;
  /** UNKNOWN_TARGET: the node id that is not connected. */
  target?: NodeIdHex;
}
/** TURN servers with credentials minted for this node id, valid for `ttlSec`. */
export interface TurnCredsMsg {
  t: 'turn';
  id?: number;
  iceServers: IceServer[];
  ttlSec: number;
}
export type ServerMessage = ChallengeMsg | WelcomeMsg | PeersMsg | RelayInMsg | PongMsg | PingMsg | ErrorMsg | TurnCredsMsg;

// ---- client -> server -------------------------------------------------------------------

export interface HelloMsg {
  t: 'hello';
  /** 32-byte Ed25519 public key, lower-case hex. */
  publicKey: string;
  /** 64-byte Ed25519 signature over helloSigningBytes(nonce), lower-case hex. */
  signature: string;
}
export interface BootstrapMsg {
  t: 'bootstrap';
  id?: number;
}
export interface RelayOutMsg {
  t: 'relay';
  to: NodeIdHex;
  payload: Json;
  id?: number;
}
/** Ask for TURN credentials (rate-limited per address and per id). */
export interface TurnMsg {
  t: 'turn';
  id?: number;
}
export type ClientMessage = HelloMsg | BootstrapMsg | RelayOutMsg | PingMsg | PongMsg | TurnMsg;
export type ClientMessageType = ClientMessage['t'];

/** The bytes a client signs in hello: domain, version and the server's nonce. */
export function helloSigningBytes(nonce: string): Uint8Array {
  return utf8.encode(`${HELLO_DOMAIN}\n${nonce}`);
}

// ---- parsing ------------------------------------------------------------------------------

/** Either the message, or why it was rejected (an error code plus a short detail). */
export type ParseResult<M> = { ok: true; msg: M } | { ok: false; code: SignalErrorCode; detail: string; ref?: number };

type Obj = Record<string, unknown>;

function fail<M>(code: SignalErrorCode, detail: string, ref?: number): ParseResult<M> {
  return ref === undefined ? { ok: false, code, detail } : { ok: false, code, detail, ref };
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isRequestId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_REQUEST_ID;
}

/**
 * Decode one text frame: JSON object with a string type and an optional request id. `maxBytes` is
 * checked on the UTF-16 length as a cheap upper bound guard.
 */
function decodeFrame(
  text: string,
  maxBytes: number,
): { ok: true; value: Obj; id: number | undefined } | { ok: false; code: SignalErrorCode; detail: string } {
  if (text.length > maxBytes) return { ok: false, code: 'OVERSIZED', detail: `frame over ${maxBytes} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'MALFORMED', detail: 'not JSON' };
  }
  if (!isObj(value)) return { ok: false, code: 'MALFORMED', detail: 'not a JSON object' };
  if (typeof value.t !== 'string') return { ok: false, code: 'MALFORMED', detail: 'missing type' };
  if (value.id !== undefined && !isRequestId(value.id)) return { ok: false, code: 'MALFORMED', detail: 'bad id' };
  return { ok: true, value, id: value.id as number | undefined };
}

function withId<M extends object>(msg: M, id: number | undefined): M {
  if (id !== undefined) (msg as M & { id: number }).id = id;
  return msg;
}

/** Strict parser for what a client may send. Never throws. Unknown extra fields are ignored. */
export function parseClientMessage(text: string, maxBytes: number = MAX_FRAME_BYTES): ParseResult<ClientMessage> {
  const d = decodeFrame(text, maxBytes);
  if (!d.ok) return fail(d.code, d.detail);
  const { value: o, id } = d;
  switch (o.t) {
    case 'hello':
      if (typeof o.publicKey !== 'string' || !HEX64_RE.test(o.publicKey)) return fail('MALFORMED', 'bad publicKey', id);
      if (typeof o.signature !== 'string' || !HEX128_RE.test(o.signature)) return fail('MALFORMED', 'bad signature', id);
      return { ok: true, msg: { t: 'hello', publicKey: o.publicKey, signature: o.signature } };
    case 'bootstrap':
      return { ok: true, msg: withId<BootstrapMsg>({ t: 'bootstrap' }, id) };
    case 'relay':
      if (typeof o.to !== 'string' || !NODE_ID_RE.test(o.to)) return fail('MALFORMED', 'bad relay target', id);
      if (o.payload === undefined) return fail('MALFORMED', 'missing payload', id);
      return { ok: true, msg: withId<RelayOutMsg>({ t: 'relay', to: o.to, payload: o.payload as Json }, id) };
    case 'ping':
      return { ok: true, msg: withId<PingMsg>({ t: 'ping' }, id) };
    case 'pong':
      return { ok: true, msg: withId<PongMsg>({ t: 'pong' }, id) };
    case 'turn':
      return { ok: true, msg: withId<TurnMsg>({ t: 'turn' }, id) };
    default:
      return fail('UNKNOWN_TYPE', `unknown type ${JSON.stringify(String(o.t).slice(0, 32))}`, id);
  }
}

function isNodeIdList(v: unknown): v is NodeIdHex[] {
  return Array.isArray(v) && v.length <= MAX_BOOTSTRAP_PEERS && v.every((x) => typeof x === 'string' && NODE_ID_RE.test(x));
}

function isIceServer(v: unknown): v is IceServer {
  if (!isObj(v)) return false;
  const urlsOk = typeof v.urls === 'string' || (Array.isArray(v.urls) && v.urls.length > 0 && v.urls.every((u) => typeof u === 'string'));
  return (
    urlsOk &&
    (v.username === undefined || typeof v.username === 'string') &&
    (v.credential === undefined || typeof v.credential === 'string')
  );
}

function isLimits(v: unknown): v is SignalLimits {
  return isObj(v) && typeof v.maxFrameBytes === 'number' && typeof v.ratePerSec === 'number' && typeof v.burst === 'number';
}

/** Strict parser for what the server sends (the client's side). Never throws. */
export function parseServerMessage(text: string, maxBytes: number = MAX_FRAME_BYTES * 2): ParseResult<ServerMessage> {
  const d = decodeFrame(text, maxBytes);
  if (!d.ok) return fail(d.code, d.detail);
  const { value: o, id } = d;
  switch (o.t) {
    case 'challenge':
      if (typeof o.v !== 'number' || typeof o.nonce !== 'string' || !NONCE_RE.test(o.nonce)) return fail('MALFORMED', 'bad challenge');
      return { ok: true, msg: { t: 'challenge', v: o.v, nonce: o.nonce } };
    case 'welcome':
      if (typeof o.nodeId !== 'string' || !NODE_ID_RE.test(o.nodeId)) return fail('MALFORMED', 'bad nodeId');
      if (!Array.isArray(o.iceServers) || !o.iceServers.every(isIceServer)) return fail('MALFORMED', 'bad iceServers');
      if (!isNodeIdList(o.peers)) return fail('MALFORMED', 'bad peers');
      if (typeof o.heartbeatMs !== 'number' || !(o.heartbeatMs > 0)) return fail('MALFORMED', 'bad heartbeatMs');
      if (!isLimits(o.limits)) return fail('MALFORMED', 'bad limits');
      return {
        ok: true,
        msg: {
          t: 'welcome',
          nodeId: o.nodeId,
          iceServers: o.iceServers,
          peers: o.peers,
          heartbeatMs: o.heartbeatMs,
          limits: o.limits,
          ...(o.turn === true ? { turn: true } : {}),
        },
      };
    case 'turn':
      if (!Array.isArray(o.iceServers) || !o.iceServers.every(isIceServer)) return fail('MALFORMED', 'bad iceServers');
      if (typeof o.ttlSec !== 'number' || !(o.ttlSec > 0)) return fail('MALFORMED', 'bad ttlSec');
      return { ok: true, msg: withId<TurnCredsMsg>({ t: 'turn', iceServers: o.iceServers, ttlSec: o.ttlSec }, id) };
    case 'peers':
      if (!isNodeIdList(o.peers)) return fail('MALFORMED', 'bad peers');
      return { ok: true, msg: withId<PeersMsg>({ t: 'peers', peers: o.peers }, id) };
    case 'relay':
      if (typeof o.from !== 'string' || !NODE_ID_RE.test(o.from)) return fail('MALFORMED', 'bad relay from');
      if (o.payload === undefined) return fail('MALFORMED', 'missing payload');
      return { ok: true, msg: { t: 'relay', from: o.from, payload: o.payload as Json } };
    case 'ping':
      return { ok: true, msg: withId<PingMsg>({ t: 'ping' }, id) };
    case 'pong':
      return { ok: true, msg: withId<PongMsg>({ t: 'pong' }, id) };
    case 'error': {
      if (typeof o.code !== 'string' || !ERROR_CODE_SET.has(o.code)) return fail('MALFORMED', 'bad error code');
      const msg: ErrorMsg = { t: 'error', code: o.code as SignalErrorCode };
      if (typeof o.message === 'string') msg.message = o.message.slice(0, 200);
      if (isRequestId(o.ref)) msg.ref = o.ref;
      if (typeof o.target === 'string' && NODE_ID_RE.test(o.target)) msg.target = o.target;
      return { ok: true, msg };
    }
    default:
      return fail('UNKNOWN_TYPE', 'unknown type');
  }
}

export function isSignalErrorCode(s: string): s is SignalErrorCode {
  return ERROR_CODE_SET.has(s);
}

/** Encoders: one place that turns messages into frames (both sides). */
export function encodeMessage(msg: ClientMessage | ServerMessage): string {
  return JSON.stringify(msg);
}
