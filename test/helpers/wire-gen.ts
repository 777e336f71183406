/** Seeded random wire messages (every type, records included) and JSON <-> message for vectors. */
import type { SeededRng } from '../../shared/env/rng';
import {
  MAX_NODES,
  MAX_RELAY_PAYLOAD,
  MAX_TUNNEL_INNER,
  MAX_APP_PAYLOAD,
  WIRE_ERROR_CODES,
  type Message,
  type MessageType,
} from '../../shared/protocol/wire';
import { RECORD_LIMITS, type DhtRecord } from '../../shared/records/types';
import { bytesToHex, hexToBytes } from '../../shared/crypto/bytes';
import { IdList } from '../../shared/protocol/id-list';

export const MESSAGE_TYPES: MessageType[] = [
  'ping',
  'pong',
  'find_node',
  'nodes',
  'find_value',
  'value',
  'store',
  'stored',
  'error',
  'route',
  'routed',
  'tunnel',
  'tunneled',
  'link',
  'linked',
  'app',
  'app_ack',
];

/** Biased toward the edges: 0, 2^32 boundaries and 2^53-1 show up often. */
function u53(rng: SeededRng): number {
  switch (rng.int(6)) {
    case 0:
      return 0;
    case 1:
      return Number.MAX_SAFE_INTEGER;
    case 2:
      return 2 ** 32 + rng.int(3) - 1;
    case 3:
      return rng.int(2 ** 32);
    default:
      return rng.u32() * 2 ** 21 + rng.int(2 ** 21);
  }
}

function len(rng: SeededRng, max: number): number {
  const r = rng.int(5);
  return r === 0 ? 0 : r === 1 ? max : rng.int(max + 1);
}

export function randomRecord(rng: SeededRng, small = false): DhtRecord {
  const vmax = small ? 40 : RECORD_LIMITS.maxValueBytes;
  if (rng.int(2) === 0) return { type: 'immutable', v: rng.bytes(len(rng, vmax)) };
  return {
    type: 'mutable',
    k: rng.bytes(32),
    salt: rng.bytes(len(rng, RECORD_LIMITS.maxSaltBytes)),
    seq: u53(rng),
    v: rng.bytes(len(rng, vmax)),
    sig: rng.bytes(64),
  };
}

export function randomMessage(rng: SeededRng, type: MessageType = MESSAGE_TYPES[rng.int(MESSAGE_TYPES.length)]!, small = false): Message {
  const rid = rng.u32();
  const id = () => rng.bytes(20);
  const nodes = () => IdList.of(Array.from({ length: len(rng, small ? 4 : MAX_NODES) }, id));
  switch (type) {
    case 'ping':
    case 'pong':
      return { type, rid };
    case 'find_node':
      return { type, rid, target: id() };
    case 'nodes':
      return { type, rid, nodes: nodes() };
    case 'find_value':
      return rng.int(2) ? { type, rid, target: id(), seq: u53(rng) } : { type, rid, target: id() };
    case 'value': {
      const m: Extract<Message, { type: 'value' }> = rng.int(2)
        ? { type, rid, record: randomRecord(rng, small), nodes: nodes() }
        : { type, rid, nodes: nodes() };
      if (rng.int(2)) m.age = rng.u32();
      return m;
    }
    case 'store': {
      const m: Extract<Message, { type: 'store' }> = rng.int(2)
        ? { type, rid, target: id(), record: randomRecord(rng, small), cas: u53(rng) }
        : { type, rid, target: id(), record: randomRecord(rng, small) };
      if (rng.int(2)) m.age = rng.u32();
      return m;
    }
    case 'stored':
      return { type, rid, seq: u53(rng) };
    case 'error':
      return { type, rid, code: WIRE_ERROR_CODES[rng.int(WIRE_ERROR_CODES.length)]! };
    case 'route':
      return { type, rid, target: id(), ttl: rng.int(256), payload: rng.bytes(len(rng, small ? 40 : MAX_RELAY_PAYLOAD)) };
    case 'routed':
      return { type, rid, delivered: rng.int(2) === 1 };
    case 'tunnel':
      return {
        type,
        rid,
        target: id(),
        ttl: rng.int(256),
        origin: id(),
        pk: rng.bytes(32),
        sig: rng.bytes(64),
        inner: rng.bytes(len(rng, small ? 40 : MAX_TUNNEL_INNER)),
      };
    case 'tunneled':
      return rng.int(2)
        ? { type, rid, answer: { pk: rng.bytes(32), sig: rng.bytes(64), inner: rng.bytes(len(rng, small ? 40 : MAX_TUNNEL_INNER)) } }
        : { type, rid };
    case 'link':
      return { type, rid, keep: rng.int(2) === 1 };
    case 'linked':
      return { type, rid, accepted: rng.int(2) === 1 };
    case 'app':
      return { type, rid, payload: rng.bytes(len(rng, small ? 40 : MAX_APP_PAYLOAD)) };
    case 'app_ack':
      return rng.int(2) ? { type, rid, payload: rng.bytes(len(rng, small ? 40 : MAX_APP_PAYLOAD)) } : { type, rid };
  }
}

type Json = Record<string, unknown>;
const BYTE_FIELDS = new Set(['target', 'payload', 'k', 'salt', 'v', 'sig', 'origin', 'inner', 'pk']);

/** A vector's JSON message (bytes as hex) to a Message. */
export function fromJson(j: Json): Message {
  const out: Json = {};
  for (const [key, val] of Object.entries(j)) {
    if (BYTE_FIELDS.has(key)) out[key] = hexToBytes(val as string);
    else if (key === 'nodes') out[key] = IdList.of((val as string[]).map(hexToBytes));
    else if (key === 'record' || key === 'answer') out[key] = fromJson(val as Json);
    else out[key] = val;
  }
  return out as unknown as Message;
}

/** A Message to plain JSON (bytes as hex), for comparisons with readable diffs. */
export function toJson(m: unknown): unknown {
  if (m instanceof Uint8Array) return bytesToHex(m);
  if (m instanceof IdList) return m.toArray().map(bytesToHex);
  if (Array.isArray(m)) return m.map(toJson);
  if (m && typeof m === 'object') return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, toJson(v)]));
  return m;
}
