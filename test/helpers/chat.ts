/** Shared fixtures for the chat-layer tests (not a test file itself). */
import { expect } from 'vitest';
import { ChatError, type ChatErrorCode } from '../../shared/chat/errors';

/** Runs `fn` and checks it threw a ChatError with `code`. */
export function expectChatError(fn: () => unknown, code: ChatErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected ChatError ${code}`).toBeInstanceOf(ChatError);
  expect((thrown as ChatError).code).toBe(code);
}

/** A copy of `b` with bit `bit` (counted from the first byte's lowest bit) flipped. */
export function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(b);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}
