/** Shared fixtures for the chat-layer tests: seeded bytes, ChatError codes, bit flips. */
import { expect } from 'vitest';
import { ChatError, type ChatErrorCode } from '../../shared/chat/errors';
import { SeededRng } from '../../shared/env/rng';

/** Deterministic randomBytes (tests only: a seeded PRNG is no key source). */
export function seededRandom(seed: number): (n: number) => Uint8Array {
  const rng = new SeededRng(seed);
  return (n) => rng.bytes(n);
}

/** The ChatError code fn throws, 'NONE' if it returns, or 'NOT_CHAT_ERROR …' for another throw. */
export function chatCode(fn: () => unknown): string {
  try {
    fn();
    return 'NONE';
  } catch (e) {
    return e instanceof ChatError ? e.code : `NOT_CHAT_ERROR ${String(e)}`;
  }
}

/** Runs `fn` and checks it threw a ChatError with `code`. */
export function expectChatError(fn: () => unknown, code: ChatErrorCode): void {
  expect(chatCode(fn), `expected ChatError ${code}`).toBe(code);
}

/** A copy of `b` with bit `bit` (0 = least significant bit of byte 0) flipped. */
export function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const c = Uint8Array.from(b);
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
}
