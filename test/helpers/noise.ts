/** Shared fixtures for the Noise tests (not a test file itself). */
import { expect } from 'vitest';
import { hexToBytes, utf8 } from '../../shared/crypto/bytes';
import {
  Handshake,
  NoiseError,
  PATTERNS,
  generateX25519KeyPair,
  type KeyPair,
  type NoiseErrorCode,
  type Pattern,
} from '../../shared/crypto/noise';

export const kp = (hex: string): KeyPair => generateX25519KeyPair(hexToBytes(hex));

export function expectNoise(fn: () => unknown, code: NoiseErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected NoiseError ${code}`).toBeInstanceOf(NoiseError);
  expect((thrown as NoiseError).code).toBe(code);
}

export function flipBit(b: Uint8Array, byte: number, bit: number): Uint8Array {
  const out = Uint8Array.from(b);
  out[byte] = out[byte]! ^ (1 << bit);
  return out;
}

/** Replays one vector through both sides; returns the number of messages checked. */
export const I_S = kp('e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1');
export const R_S = kp('4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893');
export const I_E = kp('893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a');
export const R_E = kp('bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b');
export const PROLOGUE = utf8.encode('p2p-chat test');
export const payloadOf = (i: number): Uint8Array => utf8.encode(`payload of message ${i}`);

export function pair(
  pattern: Pattern,
  over: { iPrologue?: Uint8Array; rPrologue?: Uint8Array; rs?: Uint8Array; fixed?: boolean } = {},
): [Handshake, Handshake] {
  const fixed = over.fixed ?? true;
  const init = new Handshake({
    pattern,
    initiator: true,
    prologue: over.iPrologue ?? PROLOGUE,
    s: I_S,
    ...(fixed ? { e: I_E } : {}),
    ...(PATTERNS[pattern].pre[1].includes('s') ? { rs: over.rs ?? R_S.publicKey } : {}),
  });
  const resp = new Handshake({
    pattern,
    initiator: false,
    prologue: over.rPrologue ?? PROLOGUE,
    s: R_S,
    ...(fixed ? { e: R_E } : {}),
  });
  return [init, resp];
}

/** Runs messages 0..upTo-1 honestly; returns [sender, receiver] of message upTo. */
export function advanceTo(init: Handshake, resp: Handshake, upTo: number): [Handshake, Handshake] {
  for (let i = 0; i < upTo; i++) {
    const [tx, rx] = i % 2 === 0 ? [init, resp] : [resp, init];
    rx.readMessage(tx.writeMessage(payloadOf(i)));
  }
  return upTo % 2 === 0 ? [init, resp] : [resp, init];
}

/** After a failure the handshake is dead: every call throws WRONG_STATE. */
export function expectDead(h: Handshake, genuine: Uint8Array): void {
  expect(h.failed).toBe(true);
  expect(h.complete).toBe(false);
  expectNoise(() => h.readMessage(genuine), 'WRONG_STATE');
  expectNoise(() => h.writeMessage(payloadOf(9)), 'WRONG_STATE');
  expectNoise(() => h.split(), 'WRONG_STATE');
  expectNoise(() => h.handshakeHash, 'WRONG_STATE');
}

export const CASES: [Pattern, number][] = [
  ['IK', 0],
  ['IK', 1],
  ['XX', 0],
  ['XX', 1],
  ['XX', 2],
  ['X', 0],
];
