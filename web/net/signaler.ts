/**
 * How the WebRTC transport exchanges SDP offers/answers and ICE candidates with a remote node.
 *
 * Two production implementations plug in here:
 *  - the WebSocket signaling server relay (first contact; `web/net/signal-client.ts` adapts it);
 *  - the DHT overlay (signed envelopes relayed hop by hop over existing data channels,
 *    `web/net/overlay-signaler.ts`).
 * Tests use the in-memory `LoopbackSignalHub` (`web/net/loopback-signaler.ts`).
 *
 * A Signaler must authenticate `from`: the transport binds the resulting data channel to that
 * node id (the server checks a hello signature; the overlay checks an Ed25519 envelope).
 */
import type { PeerId } from '../../shared/env/transport';

/** simple-peer's signal data: an SDP description or a trickled ICE candidate (JSON-safe). */
export interface SdpSignal {
  type: 'offer' | 'answer';
  sdp: string;
}
export interface CandidateSignal {
  type: 'candidate';
  candidate: { candidate: string; sdpMLineIndex?: number | null; sdpMid?: string | null; usernameFragment?: string | null };
}
export type SignalData = SdpSignal | CandidateSignal;

/**
 * One signaling message. `sid` names one connection attempt (random hex chosen by the dialer), so
 * late signals of an abandoned attempt (glare, redial) are recognised and dropped. A `reject`
 * tells the dialer right away that the callee refused (budget full, lifetime limit) instead of
 * letting it time out.
 */
export type SignalPayload = { sid: string; data: SignalData } | { sid: string; reject: string };

export type SignalHandler = (from: PeerId, signal: SignalPayload) => void;

export interface Signaler {
  /** Best effort; never throws for network reasons (the dial times out instead). */
  send(to: PeerId, signal: SignalPayload): void;
  /** Register the single handler for signals addressed to this node. */
  onSignal(handler: SignalHandler): void;
}

const SID_RE = /^[0-9a-f]{8,64}$/;
const MAX_SDP = 64 * 1024;
const MAX_CANDIDATE = 1024;

/**
 * Strict shape check for a signal coming off the wire (signal server JSON, overlay envelope).
 * Returns the payload or null; callers drop and count nulls.
 */
export function parseSignalPayload(x: unknown): SignalPayload | null {
  if (typeof x !== 'object' || x === null) return null;
  const o = x as Record<string, unknown>;
  if (typeof o.sid !== 'string' || !SID_RE.test(o.sid)) return null;
  if ('reject' in o) {
    if (typeof o.reject !== 'string' || o.reject.length > 64) return null;
    return { sid: o.sid, reject: o.reject };
  }
  const d = o.data as Record<string, unknown> | null | undefined;
  if (typeof d !== 'object' || d === null) return null;
  if (d.type === 'offer' || d.type === 'answer') {
    if (typeof d.sdp !== 'string' || d.sdp.length > MAX_SDP) return null;
    return { sid: o.sid, data: { type: d.type, sdp: d.sdp } };
  }
  if (d.type === 'candidate') {
    const c = d.candidate as Record<string, unknown> | null | undefined;
    if (typeof c !== 'object' || c === null) return null;
    if (typeof c.candidate !== 'string' || c.candidate.length > MAX_CANDIDATE) return null;
    const cand: CandidateSignal['candidate'] = { candidate: c.candidate };
    if (typeof c.sdpMLineIndex === 'number' || c.sdpMLineIndex === null) cand.sdpMLineIndex = c.sdpMLineIndex;
    if (typeof c.sdpMid === 'string' || c.sdpMid === null) cand.sdpMid = c.sdpMid;
    if (typeof c.usernameFragment === 'string' || c.usernameFragment === null) cand.usernameFragment = c.usernameFragment;
    return { sid: o.sid, data: { type: 'candidate', candidate: cand } };
  }
  return null;
}
