/**
 * The few globals the core may use: the subset that browsers and Node 20 both provide (WHATWG
 * encoding, Web Crypto randomness, timers, the high-resolution clock). shared/ compiles without
 * the DOM and Node type libraries, so anything else is a type error: the core stays portable.
 */
declare global {
  class TextEncoder {
    encode(input?: string): Uint8Array;
  }
  class TextDecoder {
    constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
    decode(input?: Uint8Array): string;
  }
  interface Crypto {
    getRandomValues<T extends Uint8Array | Uint16Array | Uint32Array>(array: T): T;
  }
  var crypto: Crypto;
  var performance: { readonly timeOrigin: number; now(): number } | undefined;
  function setTimeout(fn: () => void, ms?: number): unknown;
  function clearTimeout(handle: unknown): void;
  function queueMicrotask(fn: () => void): void;
}
export {};
