/**
 * Frozen Double Ratchet vectors (Signal publishes none): a scripted conversation with fixed SK,
 * fixed initial keys and deterministic randomness, every header and ciphertext in hex.
 *
 *   npx tsx test/tools/make-ratchet-vectors.ts          writes test/vectors/double-ratchet.json
 *   npx tsx test/tools/make-ratchet-vectors.ts --check  exits 1 if the file differs
 *
 * Randomness: party P's i-th call randomBytes(n) (i from 0) returns the first n bytes of
 * SHA-256(utf8(label_P) | u32be(i)) (n <= 32; GENERATE_DH only asks for 32), so any
 * implementation can reproduce the DH keys. test/unit/crypto/double-ratchet.vectors.test.ts
 * recomputes this file byte for byte and replays it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8 } from '../../shared/crypto/bytes';
import {
  encodeHeader,
  encodeMessage,
  ENCRYPT_INFO,
  generateDh,
  KDF_RK_INFO,
  ratchetDecrypt,
  ratchetEncrypt,
  ratchetInitAlice,
  ratchetInitBob,
  RatchetError,
  serialize,
  type RatchetMessage,
  type RatchetState,
} from '../../shared/crypto/double-ratchet';

export const VECTOR_FILE = fileURLToPath(new URL('../vectors/double-ratchet.json', import.meta.url));

/** randomBytes for the vectors: the i-th call gives SHA-256(label | u32be(i))[0:n]. */
export function counterRandom(label: string): (n: number) => Uint8Array {
  let i = 0;
  return (n) => {
    if (n > 32) throw new Error('counterRandom gives at most 32 bytes per call');
    const ctr = new Uint8Array(4);
    new DataView(ctr.buffer).setUint32(0, i++);
    return sha256(concatBytes(utf8.encode(label), ctr)).slice(0, n);
  };
}

export const INPUTS = {
  sk: bytesToHex(Uint8Array.from({ length: 32 }, (_, i) => i)),
  bobInitialSecretKey: bytesToHex(Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i)),
  ad: bytesToHex(utf8.encode('p2p-chat vectors: alice-id|bob-id')),
  aliceRandomLabel: 'p2p-chat ratchet vectors alice',
  bobRandomLabel: 'p2p-chat ratchet vectors bob',
};

type Party = 'alice' | 'bob';
/** The script. `send` encrypts a message; `deliver` decrypts one at the other party. */
export type VectorEvent = { op: 'send'; id: string; from: Party; plaintext: string } | { op: 'deliver'; id: string; expectError?: string };

export const SCRIPT: VectorEvent[] = [
  { op: 'send', id: 'a0', from: 'alice', plaintext: '' },
  { op: 'send', id: 'a1', from: 'alice', plaintext: 'sixteen bytes!!!' },
  { op: 'send', id: 'a2', from: 'alice', plaintext: 'Alice 3: '.padEnd(100, '.') },
  { op: 'deliver', id: 'a2' }, // Bob's first message in: DH ratchet, skips a0 and a1
  { op: 'deliver', id: 'a0' }, // from MKSKIPPED
  { op: 'send', id: 'b0', from: 'bob', plaintext: 'Bob 1' },
  { op: 'send', id: 'b1', from: 'bob', plaintext: 'Bob 2 \u00e9\u{1F510}' },
  { op: 'deliver', id: 'b1' }, // Alice's DH ratchet, skips b0
  { op: 'send', id: 'a3', from: 'alice', plaintext: 'Alice 4 (new ratchet key)' },
  { op: 'deliver', id: 'a3' }, // Bob's DH ratchet (pn = 3; a1 still skipped)
  { op: 'deliver', id: 'b0' }, // from Alice's MKSKIPPED
  { op: 'deliver', id: 'a1' }, // from Bob's MKSKIPPED, an old chain
  { op: 'deliver', id: 'a2', expectError: 'DUPLICATE' },
  { op: 'deliver', id: 'b1', expectError: 'DUPLICATE' },
];

interface VectorMessage {
  id: string;
  from: Party;
  plaintext: string;
  header: { dh: string; pn: number; n: number };
  headerBytes: string;
  ciphertext: string;
  wire: string;
}

export function buildVectors() {
  const sk = hexToBytes(INPUTS.sk);
  const ad = hexToBytes(INPUTS.ad);
  const bobInitial = generateDh(() => hexToBytes(INPUTS.bobInitialSecretKey));
  const rnd = { alice: counterRandom(INPUTS.aliceRandomLabel), bob: counterRandom(INPUTS.bobRandomLabel) };
  const states: Record<Party, RatchetState> = {
    alice: ratchetInitAlice(sk, bobInitial.publicKey, { randomBytes: rnd.alice }),
    bob: ratchetInitBob(sk, bobInitial),
  };
  const sent = new Map<string, { from: Party; msg: RatchetMessage }>();
  const messages: VectorMessage[] = [];
  for (const ev of SCRIPT) {
    if (ev.op === 'send') {
      const r = ratchetEncrypt(states[ev.from], utf8.encode(ev.plaintext), ad);
      states[ev.from] = r.state;
      sent.set(ev.id, { from: ev.from, msg: r.message });
      const h = r.message.header;
      messages.push({
        id: ev.id,
        from: ev.from,
        plaintext: ev.plaintext,
        header: { dh: bytesToHex(h.dh), pn: h.pn, n: h.n },
        headerBytes: bytesToHex(encodeHeader(h)),
        ciphertext: bytesToHex(r.message.ciphertext),
        wire: bytesToHex(encodeMessage(r.message)),
      });
    } else {
      const m = sent.get(ev.id)!;
      const to: Party = m.from === 'alice' ? 'bob' : 'alice';
      try {
        const r = ratchetDecrypt(states[to], m.msg, ad, { randomBytes: rnd[to] });
        if (ev.expectError) throw new Error(`${ev.id}: expected ${ev.expectError}`);
        if (utf8.decode(r.plaintext) !== messages.find((x) => x.id === ev.id)!.plaintext) throw new Error(`${ev.id}: wrong plaintext`);
        states[to] = r.state;
      } catch (e) {
        if (!(e instanceof RatchetError) || e.code !== ev.expectError) throw e;
      }
    }
  }
  return {
    description:
      'Double Ratchet (Signal spec revision 4, sections 3 and 5.2) vectors for shared/crypto/double-ratchet.ts. ' +
      'Generated by test/tools/make-ratchet-vectors.ts; randomBytes of party P: i-th call = SHA-256(utf8(label_P) | u32be(i))[0:n].',
    algorithms: {
      GENERATE_DH: 'X25519, secret = randomBytes(32)',
      KDF_RK: 'HKDF-SHA256(salt = rk, ikm = dh_out, info = kdfRkInfo, 64) = rk | ck',
      KDF_CK: 'mk = HMAC-SHA256(ck, 0x01), ck = HMAC-SHA256(ck, 0x02)',
      ENCRYPT:
        'HKDF-SHA256(salt = 32 zero bytes, ikm = mk, info = encryptInfo, 80) = encKey | authKey | iv; AES-256-CBC/PKCS7; + HMAC-SHA256(authKey, CONCAT(ad, header) | ct), 32 bytes',
      HEADER: 'dh (32) | u32be pn | u32be n',
      CONCAT: 'u32be len(ad) | ad | header',
      wire: 'u8 version (1) | header (40) | ciphertext',
    },
    kdfRkInfo: utf8.decode(KDF_RK_INFO),
    encryptInfo: utf8.decode(ENCRYPT_INFO),
    ...INPUTS,
    bobInitialPublicKey: bytesToHex(bobInitial.publicKey),
    script: SCRIPT,
    messages,
    finalState: { alice: bytesToHex(serialize(states.alice)), bob: bytesToHex(serialize(states.bob)) },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = `${JSON.stringify(buildVectors(), null, 2)}\n`;
  if (process.argv.includes('--check')) {
    const same = readFileSync(VECTOR_FILE, 'utf8') === text;
    console.log(same ? 'vectors match' : 'vectors DIFFER');
    process.exit(same ? 0 : 1);
  }
  writeFileSync(VECTOR_FILE, text);
  console.log(`wrote ${VECTOR_FILE}`);
}
