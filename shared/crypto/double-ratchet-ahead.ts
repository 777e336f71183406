/**
 * The X25519 work of a DH ratchet step, done ahead by an asynchronous implementation (WebCrypto's
 * native X25519 in the browser: a few tenths of a millisecond for what the BigInt ladder takes
 * 1 to 1.5 ms), then handed to the synchronous RatchetDecrypt as known results. The algorithm and
 * its order are untouched: RatchetDecrypt still draws its new key pair from `randomBytes` (the
 * secret drawn here, returned first) and asks for each DH; a result not known (the step was not
 * needed, or the asynchronous implementation refused or failed) is computed there as before, with
 * its checks. Nothing here decides whether a key is valid.
 */
import { bytesEqual } from './bytes';
import {
  takesDhStep,
  type KnownX25519,
  type MessageHeader,
  type RandomBytes,
  type RatchetOptions,
  type RatchetState,
} from './double-ratchet';

/** An asynchronous X25519 (RFC 7748): public key of a secret, and the shared secret. */
export interface AsyncX25519 {
  publicKey(secretKey: Uint8Array): Promise<Uint8Array>;
  dh(secretKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array>;
}

/**
 * Options for ratchetDecrypt(state, message with `header`, ...): with the X25519 of its DH ratchet
 * step computed by `x` when it takes one; plain `{ randomBytes }` otherwise.
 */
export async function ratchetAhead(
  state: RatchetState,
  header: MessageHeader,
  x: AsyncX25519,
  randomBytes: RandomBytes,
): Promise<RatchetOptions> {
  if (!takesDhStep(state, header)) return { randomBytes };
  const drawn = randomBytes(32);
  if (!(drawn instanceof Uint8Array) || drawn.length !== 32) return { randomBytes };
  const next = Uint8Array.from(drawn);
  const remote = Uint8Array.from(header.dh);
  const old = state.dhs.secretKey;
  const settled = await Promise.allSettled([x.publicKey(next), x.dh(old, remote), x.dh(next, remote)]);
  const value = (i: number) => {
    const r = settled[i]!;
    return r.status === 'fulfilled' && r.value.length === 32 ? r.value : undefined;
  };
  const [nextPublic, oldShared, nextShared] = [value(0), value(1), value(2)];
  let first = true;
  const known: KnownX25519 = {
    publicKey: (sk) => (bytesEqual(sk, next) ? nextPublic : undefined),
    dh: (sk, pk) => {
      if (!bytesEqual(pk, remote)) return undefined;
      if (bytesEqual(sk, next)) return nextShared;
      return bytesEqual(sk, old) ? oldShared : undefined;
    },
  };
  return {
    // The step's GENERATE_DH gets the secret drawn above; any further draw is a fresh one.
    randomBytes: (n) => {
      if (first && n === 32) {
        first = false;
        return Uint8Array.from(next);
      }
      return randomBytes(n);
    },
    known,
  };
}
