import { utf8 } from '../../shared/crypto/bytes';
import { generateKeyPair, type KeyPair } from '../../shared/crypto/ed25519';
import { SeededRng } from '../../shared/env/rng';
import { mutableTarget, signMutable } from '../../shared/records/bep44';
import type { MutableRecord } from '../../shared/records/types';

export function keyFromSeed(n: number): KeyPair {
  return generateKeyPair(new SeededRng(n).bytes(32));
}

export function rec(kp: KeyPair, seq: number, value = `v${seq}`, salt?: string): MutableRecord {
  return signMutable({ secretKey: kp.secretKey, seq, value: utf8.encode(value), salt: salt ? utf8.encode(salt) : undefined });
}

export function targetOf(r: MutableRecord): Uint8Array {
  return mutableTarget(r.k, r.salt);
}
