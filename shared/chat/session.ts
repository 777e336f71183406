/**
 * A session between two contacts' devices: a Noise IK handshake between their device keys
 * (Noise_IK_25519_ChaChaPoly_SHA256; the initiator knows the responder's key from its
 * certificate), each side's payload its IK-signed device certificate, then a Double Ratchet
 * seeded from the handshake:
 *   SK  = HKDF-SHA256(ikm = k1 ‖ k2 (Split()'s keys), salt = handshake hash, info "p2p-chat ratchet v1")
 *   the initiator is the ratchet's Alice, the responder its Bob, with its device key as Bob's first
 *   ratchet key (the role X3DH gives the signed prekey); the first DH ratchet step replaces it.
 * The prologue binds the channel: both DTLS fingerprints in sorted order when the handshake runs
 * over a direct WebRTC connection (a relay that terminates DTLS cannot sit in the middle), empty
 * over a tunnel or in the simulator; a flag byte says which, and the responder recomputes it.
 *
 * Each side decides through `check` whether the certificate's identity is an accepted contact and
 * names the Noise static key; anything else fails the handshake (ChatError DECRYPT_FAILED).
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8 } from '../crypto/bytes';
import { ratchetInitAlice, ratchetInitBob, type RatchetState } from '../crypto/double-ratchet';
import { Handshake } from '../crypto/noise';
import { ChatError } from './errors';

const PROLOGUE = utf8.encode('p2p-chat session v1');
const SK_INFO = utf8.encode('p2p-chat ratchet v1');

export interface DeviceKeys {
  dk: Uint8Array;
  dkSecret: Uint8Array;
  /** Our certificate (bytes). */
  certificate: Uint8Array;
}

export interface Session {
  /** First 8 bytes of the handshake hash, hex: names the session in every message. */
  sid: string;
  ratchet: RatchetState;
}

/** Who the certificate says the peer is: the contact id, or null to refuse. */
export type CertificateCheck = (certificate: Uint8Array, remoteStatic: Uint8Array) => string | null;

function prologue(binding: Uint8Array): Uint8Array {
  if (binding.length > 255) throw new RangeError('channel binding over 255 bytes');
  return concatBytes(PROLOGUE, Uint8Array.of(binding.length), binding);
}

function seed(hs: Handshake): { sk: Uint8Array; sid: string } {
  const h = hs.handshakeHash;
  const keys = hs.splitKeys();
  const sk = hkdf(sha256, concatBytes(keys.initiatorToResponder, keys.responderToInitiator), h, SK_INFO, 32);
  keys.initiatorToResponder.fill(0);
  keys.responderToInitiator.fill(0);
  return { sk, sid: bytesToHex(h.subarray(0, 8)) };
}

function fail(why: string): never {
  throw new ChatError('DECRYPT_FAILED', `session handshake: ${why}`);
}

/** Initiator, step 1: the first handshake message to the device `theirDk`. */
export function startSession(
  me: DeviceKeys,
  theirDk: Uint8Array,
  binding: Uint8Array,
  randomBytes: (n: number) => Uint8Array,
): { hs: Handshake; msg1: Uint8Array } {
  const hs = new Handshake({
    pattern: 'IK',
    initiator: true,
    prologue: prologue(binding),
    s: { publicKey: me.dk, secretKey: me.dkSecret },
    rs: theirDk,
    randomBytes,
  });
  return { hs, msg1: hs.writeMessage(me.certificate) };
}

/** Responder: answer a first message; returns the reply, the session and who it is with. */
export function answerSession(
  me: DeviceKeys,
  msg1: Uint8Array,
  binding: Uint8Array,
  check: CertificateCheck,
  randomBytes: (n: number) => Uint8Array,
): { msg2: Uint8Array; session: Session; contactId: string } {
  const hs = new Handshake({
    pattern: 'IK',
    initiator: false,
    prologue: prologue(binding),
    s: { publicKey: me.dk, secretKey: me.dkSecret },
    randomBytes,
  });
  let cert: Uint8Array;
  try {
    cert = hs.readMessage(msg1);
  } catch {
    fail('first message does not open');
  }
  const contactId = check(cert, hs.remoteStaticKey!);
  if (!contactId) fail('not an accepted contact');
  const msg2 = hs.writeMessage(me.certificate);
  const { sk, sid } = seed(hs);
  return { msg2, contactId, session: { sid, ratchet: ratchetInitBob(sk, { publicKey: me.dk, secretKey: me.dkSecret }) } };
}

/** Initiator, step 2: read the reply; the session is ready to send. */
export function finishSession(
  hs: Handshake,
  msg2: Uint8Array,
  check: CertificateCheck,
  theirDk: Uint8Array,
  randomBytes: (n: number) => Uint8Array,
): Session {
  let cert: Uint8Array;
  try {
    cert = hs.readMessage(msg2);
  } catch {
    fail('reply does not open');
  }
  if (!check(cert, hs.remoteStaticKey!)) fail('reply from an unexpected device');
  const { sk, sid } = seed(hs);
  return { sid, ratchet: ratchetInitAlice(sk, theirDk, { randomBytes }) };
}

/** Associated data of every ratchet message: the sender's and the receiver's identity keys. */
export function messageAd(senderIk: Uint8Array, receiverIk: Uint8Array): Uint8Array {
  return concatBytes(utf8.encode('p2p-chat message v1'), senderIk, receiverIk);
}
