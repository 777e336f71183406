/**
 * Cross-check against an independent implementation: Node's crypto (OpenSSL) Ed25519 and SHA-1.
 * Node APIs are fine in tests; shared/ never uses them.
 */
import { createHash, createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes, hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import { SeededRng } from '../../../../shared/env/rng';
import { encodeSignable, mutableTarget, signMutable, verifyMutable } from '../../../../shared/records/bep44';
import vectors from '../../../vectors/bep44.json';

const PKCS8_ED25519_PREFIX = hexToBytes('302e020100300506032b657004220420');
const SPKI_ED25519_PREFIX = hexToBytes('302a300506032b6570032100');

function nodePrivateKey(seed: Uint8Array) {
  return createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_ED25519_PREFIX, seed)), format: 'der', type: 'pkcs8' });
}
function nodePublicKey(pk: Uint8Array) {
  return createPublicKey({ key: Buffer.from(concatBytes(SPKI_ED25519_PREFIX, pk)), format: 'der', type: 'spki' });
}

describe('BEP 44 cross-check with node:crypto', () => {
  const SEED = 4404;
  const rng = new SeededRng(SEED);

  it(`signMutable matches OpenSSL Ed25519 byte for byte (seed ${SEED})`, () => {
    for (let i = 0; i < 25; i++) {
      const seed = rng.bytes(32);
      const salt = i % 2 ? rng.bytes(rng.int(65)) : new Uint8Array(0);
      const value = rng.bytes(rng.int(1001));
      const seq = rng.int(2 ** 30) * 2 ** 20 + rng.int(2 ** 20);
      const r = signMutable({ secretKey: seed, salt, seq, value });
      const signable = encodeSignable(salt, seq, value);
      const sig = nodeSign(null, Buffer.from(signable), nodePrivateKey(seed));
      expect(bytesToHex(r.sig)).toBe(sig.toString('hex'));
      const target = createHash('sha1').update(concatBytes(r.k, salt)).digest('hex');
      expect(bytesToHex(mutableTarget(r.k, salt))).toBe(target);
      expect(verifyMutable(r)).toBe(true);
    }
  });

  it('the published vectors verify under OpenSSL too', () => {
    for (const vec of vectors.mutable) {
      const ok = nodeVerify(
        null,
        Buffer.from(utf8.encode(vec.signable)),
        nodePublicKey(hexToBytes(vec.publicKey)),
        Buffer.from(hexToBytes(vec.signature)),
      );
      expect(ok, vec.name).toBe(true);
    }
  });
});
