/**
 * Frozen vectors (test/vectors/double-ratchet.json): recomputed byte for byte, replayed from the
 * file alone, and re-derived independently with Node's crypto (OpenSSL X25519, HKDF, HMAC,
 * AES-256-CBC) from the spec's formulas, so the vectors are not just our code agreeing with itself.
 */
import { createCipheriv, createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import {
  decodeMessage,
  deserialize,
  encodeMessage,
  ratchetEncrypt,
  ratchetDecrypt,
  ratchetInitAlice,
  ratchetInitBob,
  RatchetError,
  serialize,
  type RatchetState,
} from '../../../../shared/crypto/double-ratchet';
import vectors from '../../../vectors/double-ratchet.json';
import { buildVectors } from '../../../tools/make-ratchet-vectors';

type Party = 'alice' | 'bob';

describe('Double Ratchet frozen vectors', () => {
  it('the generator reproduces test/vectors/double-ratchet.json exactly', () => {
    expect(JSON.parse(JSON.stringify(buildVectors()))).toEqual(vectors);
  });

  it('the script has the shape the task asks for (Alice 3, Bob 2, Alice 1, out of order)', () => {
    expect(vectors.messages.map((m) => m.id)).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'a3']);
    const deliveries = vectors.script.filter((e) => e.op === 'deliver').map((e) => e.id);
    expect(deliveries.slice(0, 6)).toEqual(['a2', 'a0', 'b1', 'a3', 'b0', 'a1']);
  });

  it('replays the script from the file alone: sends give the frozen bytes, every message decrypts at its turn, duplicates fail', () => {
    // Randomness replayed from the file's construction, written out here independently.
    const counter = (label: string) => {
      let i = 0;
      return (n: number) => {
        const c = Buffer.alloc(4);
        c.writeUInt32BE(i++);
        return new Uint8Array(createHash('sha256').update(Buffer.from(label)).update(c).digest()).slice(0, n);
      };
    };
    const rnd = { alice: counter(vectors.aliceRandomLabel), bob: counter(vectors.bobRandomLabel) };
    rnd.alice(32); // Alice's init key pair (call 0): consumed by ratchetInitAlice below
    const sk = hexToBytes(vectors.sk);
    const ad = hexToBytes(vectors.ad);
    const bobSecret = hexToBytes(vectors.bobInitialSecretKey);
    const aliceInitRandom = counter(vectors.aliceRandomLabel);
    const states: Record<Party, RatchetState> = {
      alice: ratchetInitAlice(sk, hexToBytes(vectors.bobInitialPublicKey), { randomBytes: aliceInitRandom }),
      bob: ratchetInitBob(sk, { secretKey: bobSecret, publicKey: hexToBytes(vectors.bobInitialPublicKey) }),
    };
    const byId = new Map(vectors.messages.map((m) => [m.id, m]));
    let delivered = 0;
    for (const ev of vectors.script) {
      const m = byId.get(ev.id)!;
      if (ev.op === 'send') {
        // Sends are replayed too (the final states include the sending chains); each must give
        // the frozen bytes again.
        const r = ratchetEncrypt(states[m.from as Party], utf8.encode(m.plaintext), ad);
        expect(bytesToHex(encodeMessage(r.message)), m.id).toBe(m.wire);
        states[m.from as Party] = r.state;
        continue;
      }
      const to: Party = m.from === 'alice' ? 'bob' : 'alice';
      const msg = decodeMessage(hexToBytes(m.wire));
      expect(bytesToHex(msg.header.dh)).toBe(m.header.dh);
      expect(bytesToHex(msg.ciphertext)).toBe(m.ciphertext);
      if ('expectError' in ev && ev.expectError) {
        const before = bytesToHex(serialize(states[to]));
        expect(() => ratchetDecrypt(states[to], msg, ad, { randomBytes: rnd[to] })).toThrow(
          expect.objectContaining({ code: ev.expectError }),
        );
        expect(bytesToHex(serialize(states[to]))).toBe(before);
        continue;
      }
      const r = ratchetDecrypt(states[to], msg, ad, { randomBytes: rnd[to] });
      expect(utf8.decode(r.plaintext)).toBe(m.plaintext);
      states[to] = r.state;
      delivered++;
    }
    expect(delivered).toBe(6);
    expect(bytesToHex(serialize(states.alice))).toBe(vectors.finalState.alice);
    expect(bytesToHex(serialize(states.bob))).toBe(vectors.finalState.bob);
    // The frozen final states load and are exhausted: every message was used once.
    for (const p of ['alice', 'bob'] as const) {
      const s = deserialize(hexToBytes(vectors.finalState[p]));
      expect(s.skipped.size).toBe(0);
      for (const m of vectors.messages.filter((x) => x.from !== p)) {
        let code = '';
        try {
          ratchetDecrypt(s, decodeMessage(hexToBytes(m.wire)), ad);
        } catch (e) {
          code = e instanceof RatchetError ? e.code : 'other';
        }
        expect(code, m.id).toBe('DUPLICATE');
      }
    }
  });

  it('OpenSSL (node:crypto) re-derives every message of the vectors from the spec formulas', () => {
    const PKCS8 = '302e020100300506032b656e04220420';
    const SPKI = '302a300506032b656e032100';
    const priv = (sk: string) => createPrivateKey({ key: Buffer.from(PKCS8 + sk, 'hex'), format: 'der', type: 'pkcs8' });
    const pubOf = (sk: string) =>
      Buffer.from(createPublicKey(priv(sk)).export({ format: 'der', type: 'spki' }))
        .subarray(12)
        .toString('hex');
    const DH = (sk: string, pk: string) =>
      diffieHellman({
        privateKey: priv(sk),
        publicKey: createPublicKey({ key: Buffer.from(SPKI + pk, 'hex'), format: 'der', type: 'spki' }),
      });
    const rand = (label: string, i: number) => {
      const c = Buffer.alloc(4);
      c.writeUInt32BE(i);
      return createHash('sha256').update(Buffer.from(label)).update(c).digest().toString('hex');
    };
    const KDF_RK = (rk: Buffer, dhOut: Buffer) => {
      const okm = Buffer.from(hkdfSync('sha256', dhOut, rk, Buffer.from(vectors.kdfRkInfo), 64));
      return [okm.subarray(0, 32), okm.subarray(32)] as const;
    };
    const KDF_CK = (ck: Buffer) =>
      [createHmac('sha256', ck).update(Buffer.of(2)).digest(), createHmac('sha256', ck).update(Buffer.of(1)).digest()] as const;
    const u32 = (v: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(v);
      return b;
    };
    const ad = Buffer.from(vectors.ad, 'hex');
    const ENCRYPT = (mk: Buffer, pt: string, dhPub: string, pn: number, n: number) => {
      const okm = Buffer.from(hkdfSync('sha256', mk, Buffer.alloc(32), Buffer.from(vectors.encryptInfo), 80));
      const cipher = createCipheriv('aes-256-cbc', okm.subarray(0, 32), okm.subarray(64, 80));
      const ct = Buffer.concat([cipher.update(Buffer.from(pt, 'utf8')), cipher.final()]);
      const header = Buffer.concat([Buffer.from(dhPub, 'hex'), u32(pn), u32(n)]);
      const tag = createHmac('sha256', okm.subarray(32, 64))
        .update(Buffer.concat([u32(ad.length), ad, header, ct]))
        .digest();
      return { header: header.toString('hex'), ciphertext: Buffer.concat([ct, tag]).toString('hex') };
    };
    const pt = (id: string) => vectors.messages.find((m) => m.id === id)!.plaintext;
    const out: Record<string, { header: string; ciphertext: string }> = {};

    // RatchetInitAlice: DHs = GENERATE_DH(); RK, CKs = KDF_RK(SK, DH(DHs, bob)).
    const bobPub0 = pubOf(vectors.bobInitialSecretKey);
    expect(bobPub0).toBe(vectors.bobInitialPublicKey);
    const a0sk = rand(vectors.aliceRandomLabel, 0);
    const a0pub = pubOf(a0sk);
    let [rk, ck] = KDF_RK(Buffer.from(vectors.sk, 'hex'), DH(a0sk, bobPub0));
    for (const [i, id] of ['a0', 'a1', 'a2'].entries()) {
      const [next, mk] = KDF_CK(ck);
      out[id] = ENCRYPT(mk, pt(id), a0pub, 0, i);
      ck = next;
    }
    // Bob's DHRatchet on a2: CKr from DH(bob0, alice0), then a fresh DHs (Bob's random call 0).
    [rk] = KDF_RK(Buffer.from(vectors.sk, 'hex'), DH(vectors.bobInitialSecretKey, a0pub));
    const b1sk = rand(vectors.bobRandomLabel, 0);
    const b1pub = pubOf(b1sk);
    const [rkBob, ckBob] = KDF_RK(rk, DH(b1sk, a0pub));
    ck = ckBob;
    for (const [i, id] of ['b0', 'b1'].entries()) {
      const [next, mk] = KDF_CK(ck);
      out[id] = ENCRYPT(mk, pt(id), b1pub, 0, i);
      ck = next;
    }
    // Alice's DHRatchet on b1: RK, CKr = KDF_RK(RK, DH(alice0, bob1)) (= Bob's rkBob), then a
    // fresh DHs (Alice's random call 1) and RK, CKs = KDF_RK(RK, DH(alice1, bob1)); PN = 3.
    const [rkAlice] = KDF_RK(rk, DH(a0sk, b1pub));
    expect(rkAlice.toString('hex')).toBe(rkBob.toString('hex'));
    const a1sk = rand(vectors.aliceRandomLabel, 1);
    [, ck] = KDF_RK(rkAlice, DH(a1sk, b1pub));
    out.a3 = ENCRYPT(KDF_CK(ck)[1], pt('a3'), pubOf(a1sk), 3, 0);

    for (const m of vectors.messages) {
      expect(m.headerBytes, m.id).toBe(out[m.id]!.header);
      expect(m.ciphertext, m.id).toBe(out[m.id]!.ciphertext);
      expect(m.wire, m.id).toBe(`01${out[m.id]!.header}${out[m.id]!.ciphertext}`);
    }
    // a0 is empty: one block of PKCS#7 padding plus the full 32-byte MAC.
    expect(hexToBytes(vectors.messages[0]!.wire).length).toBe(1 + 40 + 16 + 32);
  });
});
