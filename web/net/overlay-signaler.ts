/**
 * Signaling through the DHT overlay: SDP/ICE for a node travels as a signed envelope, relayed
 * hop by hop over already-open data channels (the DHT decides the route; this file only seals
 * and opens envelopes). The WebSocket server is needed only when no overlay path exists.
 *
 * Envelope (binary, version 1; all sizes fixed except the payload):
 *   [0]        version = 1
 *   [1..33)    from: sender's Ed25519 public key (its node id is SHA-1 of it)
 *   [33..53)   to: target node id (20 bytes)
 *   [53..61)   ts: sender's wall clock, ms, u64 big-endian
 *   [61..77)   nonce: 16 random bytes
 *   [77..141)  sig: Ed25519 over DOMAIN || bytes [1..77) || payload
 *   [141..143) payload length, u16 big-endian (<= MAX_PAYLOAD)
 *   [143..)    payload: the SignalPayload as UTF-8 JSON
 * The receiver checks the signature, that `to` is itself, that `ts` is within the replay
 * window of its clock, and that the (from, nonce) pair is new. Everything else is dropped and
 * counted, never thrown.
 */
import type { Clock } from '../../shared/env/clock';
import type { Rng } from '../../shared/env/rng';
import type { PeerId } from '../../shared/env/transport';
import { bytesToHex, concatBytes, hexToBytes, utf8 } from '../../shared/crypto/bytes';
import { nodeIdFromPublicKey, nodeIdHexFromPublicKey, sign, verify, type KeyPair } from '../../shared/crypto/ed25519';
import { solvesPuzzle } from '../../shared/dht/node-puzzle';
import { parseSignalPayload, type SignalHandler, type SignalPayload, type Signaler } from './signaler';

export const ENVELOPE_VERSION = 1;
const DOMAIN = utf8.encode('p2p-chat/overlay-signal/v1\0');
const HEADER = 143;
const SIGNED_START = 1;
const SIGNED_END = 77;
/** Largest payload (a trickle-less SDP offer is ~1 KB; leave room). */
export const MAX_PAYLOAD = 12 * 1024;

export interface SignalEnvelope {
  from: Uint8Array;
  to: PeerId;
  ts: number;
  nonce: Uint8Array;
  sig: Uint8Array;
  payload: Uint8Array;
}

export function sealEnvelope(keys: KeyPair, to: PeerId, payload: SignalPayload, ts: number, nonce: Uint8Array): Uint8Array {
  const body = utf8.encode(JSON.stringify(payload));
  if (body.length > MAX_PAYLOAD) throw new RangeError('signal payload too large');
  if (nonce.length !== 16) throw new RangeError('nonce must be 16 bytes');
  const out = new Uint8Array(HEADER + body.length);
  const view = new DataView(out.buffer);
  out[0] = ENVELOPE_VERSION;
  out.set(keys.publicKey, 1);
  out.set(hexToBytes(to), 33);
  view.setBigUint64(53, BigInt(Math.max(0, Math.floor(ts))));
  out.set(nonce, 61);
  out.set(sign(concatBytes(DOMAIN, out.subarray(SIGNED_START, SIGNED_END), body), keys.secretKey), 77);
  view.setUint16(141, body.length);
  out.set(body, HEADER);
  return out;
}

/** Strict structural decode (no signature check); null for anything malformed. */
export function decodeEnvelope(bytes: Uint8Array): SignalEnvelope | null {
  if (bytes.length < HEADER || bytes[0] !== ENVELOPE_VERSION) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = view.getUint16(141);
  if (len > MAX_PAYLOAD || bytes.length !== HEADER + len) return null;
  const ts = view.getBigUint64(53);
  if (ts > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return {
    from: bytes.slice(1, 33),
    to: bytesToHex(bytes.subarray(33, 53)),
    ts: Number(ts),
    nonce: bytes.slice(61, 77),
    sig: bytes.slice(77, 141),
    payload: bytes.slice(HEADER),
  };
}

/** The target id of an encoded envelope, for relays routing it (null if malformed). */
export function envelopeTarget(bytes: Uint8Array): PeerId | null {
  return decodeEnvelope(bytes)?.to ?? null;
}

/** Signature check, usable by relays before forwarding (drop forged traffic early). */
export function verifyEnvelope(env: SignalEnvelope): boolean {
  const signed = new Uint8Array(SIGNED_END - SIGNED_START);
  signed.set(env.from, 0);
  signed.set(hexToBytes(env.to), 32);
  new DataView(signed.buffer).setBigUint64(52, BigInt(env.ts));
  signed.set(env.nonce, 60);
  return verify(env.sig, concatBytes(DOMAIN, signed, env.payload), env.from);
}

/** Where the overlay sends an envelope: the DHT routes it toward `to`, hop by hop. */
export interface OverlayRoute {
  forward(to: PeerId, envelope: Uint8Array): void;
}

export interface OverlaySignalerInit {
  /** Accept envelopes whose ts is within this of our clock. @default 60_000 */
  replayWindowMs?: number;
  /** Max remembered (from, nonce) pairs; oldest forgotten first. @default 4096 */
  maxReplayEntries?: number;
  /** Drop envelopes from a key whose node id does not solve the puzzle at this difficulty (shared/dht/node-puzzle.ts). @default 0 */
  puzzleBits?: number;
}

export const OVERLAY_DROP_REASONS = [
  'malformed',
  'bad_signature',
  'wrong_target',
  'stale',
  'replay',
  'bad_payload',
  'too_large',
  'weak_id',
] as const;
export type OverlayDropReason = (typeof OVERLAY_DROP_REASONS)[number];

export class OverlaySignaler implements Signaler {
  readonly id: PeerId;
  private readonly puzzleBits: number;
  private handler: SignalHandler = () => {};
  private readonly seen = new Map<string, number>();
  private readonly windowMs: number;
  private readonly maxSeen: number;
  readonly drops = Object.fromEntries(OVERLAY_DROP_REASONS.map((r) => [r, 0])) as Record<OverlayDropReason, number>;
  sent = 0;
  accepted = 0;

  constructor(
    private readonly c: { keys: KeyPair; route: OverlayRoute; clock: Clock; rng: Rng },
    init: OverlaySignalerInit = {},
  ) {
    this.id = nodeIdHexFromPublicKey(c.keys.publicKey);
    this.windowMs = init.replayWindowMs ?? 60_000;
    this.maxSeen = init.maxReplayEntries ?? 4096;
    this.puzzleBits = init.puzzleBits ?? 0;
  }

  send(to: PeerId, signal: SignalPayload): void {
    let env: Uint8Array;
    try {
      env = sealEnvelope(this.c.keys, to, signal, this.c.clock.now(), this.c.rng.bytes(16));
    } catch {
      this.drops.too_large++;
      return;
    }
    this.sent++;
    this.c.route.forward(to, env);
  }

  onSignal(handler: SignalHandler): void {
    this.handler = handler;
  }

  /** An envelope addressed to this node arrived over the overlay. Never throws. */
  receive(bytes: Uint8Array): void {
    const env = decodeEnvelope(bytes);
    if (!env) return void this.drops.malformed++;
    if (env.to !== this.id) return void this.drops.wrong_target++;
    const now = this.c.clock.now();
    if (Math.abs(now - env.ts) > this.windowMs) return void this.drops.stale++;
    if (!verifyEnvelope(env)) return void this.drops.bad_signature++;
    if (!solvesPuzzle(nodeIdFromPublicKey(env.from), this.puzzleBits)) return void this.drops.weak_id++;
    const key = bytesToHex(env.from) + bytesToHex(env.nonce);
    if (this.seen.has(key)) return void this.drops.replay++;
    let payload: SignalPayload | null = null;
    try {
      payload = parseSignalPayload(JSON.parse(utf8.decode(env.payload)));
    } catch {
      payload = null;
    }
    if (!payload) return void this.drops.bad_payload++;
    this.remember(key, env.ts, now);
    this.accepted++;
    this.handler(nodeIdHexFromPublicKey(env.from), payload);
  }

  private remember(key: string, ts: number, now: number): void {
    // Entries older than the window can no longer pass the ts check: forget them.
    for (const [k, t] of this.seen) {
      if (now - t <= this.windowMs && this.seen.size < this.maxSeen) break;
      this.seen.delete(k);
    }
    this.seen.set(key, ts);
  }
}
