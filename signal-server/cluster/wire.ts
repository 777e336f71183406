/**
 * Messages between instances over the pub/sub bus. Plain strings with fixed-width node ids and a
 * one-letter tag, so the hot path (a relay) is built by concatenation and read by slicing, with
 * no JSON step: the relay frame the target's client receives is carried as is.
 *
 *   R <to:40><from:40><origin> <ref> <frame>   relay `frame` to local id `to`; answer failures to `origin`
 *   E <from:40><target:40><code> <ref>         a relay `from` sent (request `ref`) to `target` failed
 *   D <nodeId:40><claim>                       a newer connection claimed `nodeId`: drop `claim`
 *
 * `ref` is the client's request id in decimal, or empty. The bus carries only what our own
 * instances publish, but the decoder still checks every field and returns null for anything else.
 */
import { NODE_ID_RE } from '../../shared/protocol/signaling';
import type { RelayFailure } from './cluster';

export type BusMessage =
  | { t: 'R'; to: string; from: string; origin: string; ref: number | undefined; frame: string }
  | { t: 'E'; from: string; target: string; code: RelayFailure; ref: number | undefined }
  | { t: 'D'; nodeId: string; claim: string };

const INSTANCE_RE = /^[0-9a-f]{16}$/;
const CLAIM_RE = /^[0-9a-f]{16}\.[0-9a-z]{1,13}$/;
const REF_RE = /^\d{0,10}$/;

export function encodeRelay(to: string, from: string, origin: string, ref: number | undefined, frame: string): string {
  return `R${to}${from}${origin} ${ref === undefined ? '' : ref} ${frame}`;
}

export function encodeError(from: string, target: string, code: RelayFailure, ref: number | undefined): string {
  return `E${from}${target}${code} ${ref === undefined ? '' : ref}`;
}

export function encodeDisplace(nodeId: string, claim: string): string {
  return `D${nodeId}${claim}`;
}

export function isInstanceId(s: string): boolean {
  return INSTANCE_RE.test(s);
}

/** The instance a claim token belongs to ('' if it is not a claim). */
export function claimInstance(claim: string): string {
  return CLAIM_RE.test(claim) ? claim.slice(0, 16) : '';
}

function parseRef(s: string): number | undefined | null {
  if (!REF_RE.test(s)) return null;
  return s === '' ? undefined : Number(s);
}

export function decodeBus(s: string): BusMessage | null {
  const tag = s.charCodeAt(0);
  if (tag === 82 /* R */) {
    const to = s.slice(1, 41);
    const from = s.slice(41, 81);
    const sp1 = s.indexOf(' ', 81);
    const sp2 = sp1 < 0 ? -1 : s.indexOf(' ', sp1 + 1);
    if (sp2 < 0) return null;
    const origin = s.slice(81, sp1);
    const ref = parseRef(s.slice(sp1 + 1, sp2));
    if (ref === null || !NODE_ID_RE.test(to) || !NODE_ID_RE.test(from) || !INSTANCE_RE.test(origin)) return null;
    return { t: 'R', to, from, origin, ref, frame: s.slice(sp2 + 1) };
  }
  if (tag === 69 /* E */) {
    const from = s.slice(1, 41);
    const target = s.slice(41, 81);
    const sp = s.indexOf(' ', 81);
    if (sp < 0) return null;
    const code = s.slice(81, sp);
    const ref = parseRef(s.slice(sp + 1));
    if (ref === null || !NODE_ID_RE.test(from) || !NODE_ID_RE.test(target)) return null;
    if (code !== 'UNKNOWN_TARGET' && code !== 'TARGET_BUSY') return null;
    return { t: 'E', from, target, code, ref };
  }
  if (tag === 68 /* D */) {
    const nodeId = s.slice(1, 41);
    const claim = s.slice(41);
    if (!NODE_ID_RE.test(nodeId) || !CLAIM_RE.test(claim)) return null;
    return { t: 'D', nodeId, claim };
  }
  return null;
}
