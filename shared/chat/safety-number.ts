/**
 * Safety numbers: two people compare one 60-digit number (read aloud or as a QR code) to confirm
 * that each holds the other's real identity key IK, so no one sits in the middle.
 *
 *   h      = SHA-512("p2p-chat safety-number v1\0" | min(IK_A, IK_B) | max(IK_A, IK_B))
 *            (min/max: bytewise, unsigned, lexicographic order)
 *   group i = (h[5i .. 5i+5] as a 40-bit big-endian integer) mod 100000, zero-padded to 5 digits,
 *            for i = 0..11, joined by single spaces
 *
 * The rendering is Signal's (NumericFingerprintGenerator: 5-byte chunks mod 100000, 5 digits
 * each); the bias of 2^40 mod 10^5 is below 10^-7 per group. Signal shows 30 digits per party
 * from 5200 iterated hashes; here both keys feed one hash and all 60 digits (~199 bits) depend on
 * both, so finding a key that matches someone's number costs ~2^199 hashes without iteration.
 * SHA-512 (not SHA-256) because 12 groups need 60 bytes.
 *
 * Rules: symmetric in its arguments; keys must be 32 bytes (BAD_ARGUMENT otherwise).
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8 } from '../crypto/bytes';
import { ChatError } from './errors';

const DOMAIN = utf8.encode('p2p-chat safety-number v1\0');
const IK_BYTES = 32;
/** Groups of digits in a safety number. */
export const SAFETY_NUMBER_GROUPS = 12;
/** Digits per group. */
export const SAFETY_NUMBER_GROUP_DIGITS = 5;
const CHUNK_BYTES = 5;

/** Bytewise unsigned comparison: negative when a sorts first. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function groups(identityKeyA: Uint8Array, identityKeyB: Uint8Array): string[] {
  if (identityKeyA.length !== IK_BYTES || identityKeyB.length !== IK_BYTES) {
    throw new ChatError('BAD_ARGUMENT', `identity keys must be ${IK_BYTES} bytes`);
  }
  const [first, second] = compareBytes(identityKeyA, identityKeyB) <= 0 ? [identityKeyA, identityKeyB] : [identityKeyB, identityKeyA];
  const h = sha512(concatBytes(DOMAIN, first, second));
  const out: string[] = [];
  for (let i = 0; i < SAFETY_NUMBER_GROUPS; i++) {
    let chunk = 0;
    for (let j = 0; j < CHUNK_BYTES; j++) chunk = chunk * 256 + h[i * CHUNK_BYTES + j]!;
    out.push(String(chunk % 10 ** SAFETY_NUMBER_GROUP_DIGITS).padStart(SAFETY_NUMBER_GROUP_DIGITS, '0'));
  }
  return out;
}

/** The safety number of two identity keys: 12 groups of 5 digits separated by spaces. */
export function safetyNumber(identityKeyA: Uint8Array, identityKeyB: Uint8Array): string {
  return groups(identityKeyA, identityKeyB).join(' ');
}

/** What the QR code holds: the same 60 digits without spaces (fits QR numeric mode). */
export function safetyNumberQrPayload(identityKeyA: Uint8Array, identityKeyB: Uint8Array): string {
  return groups(identityKeyA, identityKeyB).join('');
}
