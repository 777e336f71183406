/**
 * The DHT wire format, version 1. Every frame:
 *   u8  version (high nibble) | reserved (low nibble, 0)
 *   u8  message type
 *   u32 request id (a response echoes its request's id)
 *   ... body (per type, below)
 * The decoder is strict: it bounds every length before allocating, rejects unknown types,
 * bad versions, out-of-range values and trailing bytes with a WireError.
 */
import type { DhtRecord } from '../records/types';
import { STORE_REFUSALS } from '../records/types';
import { Reader, Writer } from './byte-io';
import { IdList } from './id-list';
import { WireError } from './wire-error';
import { readRecord, writeRecord } from './wire-records';

export const WIRE_VERSION = 1;
/** No valid frame is larger; bigger frames are dropped before decoding. */
export const MAX_FRAME_BYTES = 8192;
export const MAX_NODES = 32;
export const MAX_RELAY_PAYLOAD = 6000;
/** A node public key and a signature, as tunnels carry them (Ed25519 sizes). */
export const KEY_BYTES = 32;
export const SIG_BYTES = 64;
/**
 * Largest frame a tunnel carries (a whole request or response frame, header included): what is
 * left of a frame after the tunnel's header, ids, key and signature.
 */
export const MAX_TUNNEL_INNER = MAX_FRAME_BYTES - 160;
/** Largest application payload in 'app' / 'app_ack': a tunneled app frame must fit MAX_TUNNEL_INNER. */
export const MAX_APP_PAYLOAD = MAX_TUNNEL_INNER - 64;
const ID = 20;

/** Error codes a responder can send: store refusals first, then generic ones. */
export const WIRE_ERROR_CODES = [...STORE_REFUSALS, 'BAD_REQUEST', 'OVERLOADED', 'NOT_FOUND', 'UNREACHABLE'] as const;
export type WireErrorReply = (typeof WIRE_ERROR_CODES)[number];

export type Message =
  | { type: 'ping'; rid: number }
  | { type: 'pong'; rid: number }
  | { type: 'find_node'; rid: number; target: Uint8Array }
  | { type: 'nodes'; rid: number; nodes: IdList }
  /** BEP 44 get; `seq` (optional) asks the holder to omit a record whose seq is not above it. */
  | { type: 'find_value'; rid: number; target: Uint8Array; seq?: number }
  /** `age`: seconds since the record's owner last refreshed the holder's copy (absent: fresh). */
  | { type: 'value'; rid: number; record?: DhtRecord; nodes: IdList; age?: number }
  /**
   * `cas`: only store if the current seq equals it (BEP 44 compare-and-swap). `age`: seconds since
   * the owner last refreshed this copy (a holder passing a replica on); absent from the owner.
   */
  | { type: 'store'; rid: number; target: Uint8Array; record: DhtRecord; cas?: number; age?: number }
  | { type: 'stored'; rid: number; seq: number }
  | { type: 'error'; rid: number; code: WireErrorReply }
  /**
   * Overlay routing: carry an opaque, end-to-end signed payload toward `target` hop by hop
   * (used for signaling through the overlay). `ttl` is decremented at each hop.
   */
  | { type: 'route'; rid: number; target: Uint8Array; ttl: number; payload: Uint8Array }
  | { type: 'routed'; rid: number; delivered: boolean }
  /**
   * An RPC carried over open connections instead of a new one: `inner` is a whole request frame
   * from `origin` to `target`, forwarded greedily like 'route', signed by the origin's node key
   * `pk` (whose id is `origin`). The answer travels back along the path in 'tunneled': `inner` is
   * the target's whole response frame, signed by the target's node key `pk` (all three absent if
   * it was not delivered). What the signatures cover: overlay/tunnel.ts.
   */
  | { type: 'tunnel'; rid: number; target: Uint8Array; ttl: number; origin: Uint8Array; pk: Uint8Array; sig: Uint8Array; inner: Uint8Array }
  | { type: 'tunneled'; rid: number; answer?: { pk: Uint8Array; sig: Uint8Array; inner: Uint8Array } }
  /**
   * Ask the peer at the other end of a direct connection to keep it open (`keep`), or say we no
   * longer need it. The answer says whether the peer took it into its budget.
   */
  | { type: 'link'; rid: number; keep: boolean }
  | { type: 'linked'; rid: number; accepted: boolean }
  /**
   * An application payload for the node at the other end (the chat layer's sealed messages),
   * opaque to the DHT and to every relay. The answer may carry a payload back.
   */
  | { type: 'app'; rid: number; payload: Uint8Array }
  | { type: 'app_ack'; rid: number; payload?: Uint8Array };

export type MessageType = Message['type'];
export type RequestMessage = Extract<
  Message,
  { type: 'ping' | 'find_node' | 'find_value' | 'store' | 'route' | 'tunnel' | 'link' | 'app' }
>;
export type ResponseMessage = Exclude<Message, RequestMessage>;

const TYPE_CODES: Record<MessageType, number> = {
  ping: 0x01,
  pong: 0x02,
  find_node: 0x03,
  nodes: 0x04,
  find_value: 0x05,
  value: 0x06,
  store: 0x07,
  stored: 0x08,
  error: 0x09,
  route: 0x0a,
  routed: 0x0b,
  tunnel: 0x0c,
  tunneled: 0x0d,
  link: 0x0e,
  linked: 0x0f,
  app: 0x10,
  app_ack: 0x11,
};
const TYPE_BY_CODE = new Map<number, MessageType>(Object.entries(TYPE_CODES).map(([k, v]) => [v, k as MessageType]));

export function isRequest(m: Message): m is RequestMessage {
  return (
    m.type === 'ping' ||
    m.type === 'find_node' ||
    m.type === 'find_value' ||
    m.type === 'store' ||
    m.type === 'route' ||
    m.type === 'tunnel' ||
    m.type === 'link' ||
    m.type === 'app'
  );
}

/** At most MAX_NODES ids (any beyond are not sent). */
function writeNodes(w: Writer, nodes: IdList): void {
  const n = Math.min(nodes.length, MAX_NODES);
  w.u8(n);
  w.bytes(n === nodes.length ? nodes.bytes : nodes.bytes.subarray(0, n * ID));
}

/** Optional record age: flag, then u32 seconds (clamped). */
function writeAge(w: Writer, age: number | undefined): void {
  if (age === undefined) w.u8(0);
  else w.u8(1).u32(Math.min(0xffffffff, Math.max(0, Math.floor(age))));
}

function readNodes(r: Reader): IdList {
  return new IdList(r.bytes(r.length(1, MAX_NODES, 'nodes') * ID));
}

/** One writer for every frame (encode is not re-entrant): each frame costs one exact-size copy. */
const SCRATCH = new Writer(MAX_FRAME_BYTES);

/** A message without its request id (what the RPC layer is given to send). */
export type MessageBody = Message extends infer M ? (M extends Message ? Omit<M, 'rid'> : never) : never;

export function encode(m: Message): Uint8Array {
  return encodeBody(m, m.rid);
}

/** Encode `m` with request id `rid` (saves the caller building a message object to add it). */
export function encodeBody(m: MessageBody, rid: number): Uint8Array {
  const w = SCRATCH.reset();
  w.u8(WIRE_VERSION << 4)
    .u8(TYPE_CODES[m.type])
    .u32(rid);
  switch (m.type) {
    case 'ping':
    case 'pong':
      break;
    case 'find_node':
      w.bytes(m.target);
      break;
    case 'nodes':
      writeNodes(w, m.nodes);
      break;
    case 'find_value':
      w.bytes(m.target).u8(m.seq === undefined ? 0 : 1);
      if (m.seq !== undefined) w.u53(m.seq);
      break;
    case 'value':
      w.u8(m.record ? 1 : 0);
      if (m.record) writeRecord(w, m.record);
      writeNodes(w, m.nodes);
      writeAge(w, m.age);
      break;
    case 'store':
      w.bytes(m.target).u8(m.cas === undefined ? 0 : 1);
      if (m.cas !== undefined) w.u53(m.cas);
      writeRecord(w, m.record);
      writeAge(w, m.age);
      break;
    case 'stored':
      w.u53(m.seq);
      break;
    case 'error':
      w.u8(WIRE_ERROR_CODES.indexOf(m.code));
      break;
    case 'route':
      w.bytes(m.target).u8(m.ttl).u16(m.payload.length).bytes(m.payload);
      break;
    case 'routed':
      w.u8(m.delivered ? 1 : 0);
      break;
    case 'tunnel':
      w.bytes(m.target).u8(m.ttl).bytes(m.origin).bytes(m.pk).bytes(m.sig).u16(m.inner.length).bytes(m.inner);
      break;
    case 'tunneled':
      if (m.answer) w.u8(1).bytes(m.answer.pk).bytes(m.answer.sig).u16(m.answer.inner.length).bytes(m.answer.inner);
      else w.u8(0);
      break;
    case 'link':
      w.u8(m.keep ? 1 : 0);
      break;
    case 'linked':
      w.u8(m.accepted ? 1 : 0);
      break;
    case 'app':
      w.u16(m.payload.length).bytes(m.payload);
      break;
    case 'app_ack':
      if (m.payload) w.u8(1).u16(m.payload.length).bytes(m.payload);
      else w.u8(0);
      break;
  }
  return w.copy();
}

function flag(r: Reader): boolean {
  const f = r.u8();
  if (f > 1) throw new WireError('BAD_VALUE', `flag ${f}`);
  return f === 1;
}

/** Decode one frame or throw WireError. Never returns a partially valid message. */
export function decode(frame: Uint8Array): Message {
  if (frame.length > MAX_FRAME_BYTES) throw new WireError('FRAME_TOO_LARGE', `${frame.length} bytes`);
  const r = new Reader(frame);
  const vb = r.u8();
  if (vb !== WIRE_VERSION << 4) throw new WireError('BAD_VERSION', `0x${vb.toString(16)}`);
  const type = TYPE_BY_CODE.get(r.u8());
  if (!type) throw new WireError('UNKNOWN_TYPE');
  const rid = r.u32();
  let m: Message;
  switch (type) {
    case 'ping':
    case 'pong':
      m = { type, rid };
      break;
    case 'find_node':
      m = { type, rid, target: r.bytes(ID) };
      break;
    case 'nodes':
      m = { type, rid, nodes: readNodes(r) };
      break;
    case 'find_value': {
      const target = r.bytes(ID);
      m = flag(r) ? { type, rid, target, seq: r.u53() } : { type, rid, target };
      break;
    }
    case 'value': {
      const record = flag(r) ? readRecord(r) : undefined;
      const nodes = readNodes(r);
      const age = flag(r) ? r.u32() : undefined;
      const v: Extract<Message, { type: 'value' }> = record ? { type, rid, record, nodes } : { type, rid, nodes };
      if (age !== undefined) v.age = age;
      m = v;
      break;
    }
    case 'store': {
      const target = r.bytes(ID);
      const cas = flag(r) ? r.u53() : undefined;
      const record = readRecord(r);
      const age = flag(r) ? r.u32() : undefined;
      const st: Extract<Message, { type: 'store' }> =
        cas === undefined ? { type, rid, target, record } : { type, rid, target, record, cas };
      if (age !== undefined) st.age = age;
      m = st;
      break;
    }
    case 'stored':
      m = { type, rid, seq: r.u53() };
      break;
    case 'error': {
      const code = WIRE_ERROR_CODES[r.u8()];
      if (!code) throw new WireError('BAD_VALUE', 'error code');
      m = { type, rid, code };
      break;
    }
    case 'route': {
      const target = r.bytes(ID);
      const ttl = r.u8();
      const payload = r.bytes(r.length(2, MAX_RELAY_PAYLOAD, 'payload'));
      m = { type, rid, target, ttl, payload };
      break;
    }
    case 'routed':
      m = { type, rid, delivered: flag(r) };
      break;
    case 'tunnel': {
      const target = r.bytes(ID);
      const ttl = r.u8();
      const origin = r.bytes(ID);
      const pk = r.bytes(KEY_BYTES);
      const sig = r.bytes(SIG_BYTES);
      m = { type, rid, target, ttl, origin, pk, sig, inner: r.bytes(r.length(2, MAX_TUNNEL_INNER, 'inner')) };
      break;
    }
    case 'tunneled':
      if (flag(r)) {
        const pk = r.bytes(KEY_BYTES);
        const sig = r.bytes(SIG_BYTES);
        m = { type, rid, answer: { pk, sig, inner: r.bytes(r.length(2, MAX_TUNNEL_INNER, 'inner')) } };
      } else m = { type, rid };
      break;
    case 'link':
      m = { type, rid, keep: flag(r) };
      break;
    case 'linked':
      m = { type, rid, accepted: flag(r) };
      break;
    case 'app':
      m = { type, rid, payload: r.bytes(r.length(2, MAX_APP_PAYLOAD, 'payload')) };
      break;
    case 'app_ack':
      m = flag(r) ? { type, rid, payload: r.bytes(r.length(2, MAX_APP_PAYLOAD, 'payload')) } : { type, rid };
      break;
  }
  r.end();
  return m;
}
