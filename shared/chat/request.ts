/**
 * Building a contact request: the body sealed (Noise X) from the requester's device key to the
 * owner's, and a Hashcash stamp over the owner's identity key, the sealed bytes and the time,
 * outside the seal so the owner checks it before anything else.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '../crypto/bytes';
import { encodeEnvelope, encodeRequest, PROLOGUE, requestStampResource } from './contact-wire';
import { mintStamp } from './pow';
import { seal } from './seal';

/** HMAC(invite secret, requester IK ‖ owner IK): proves the requester holds a current link. */
export function inviteTag(inviteSecret: Uint8Array, requester: Uint8Array, owner: Uint8Array): Uint8Array {
  return hmac(sha256, inviteSecret, concatBytes(requester, owner));
}

export interface RequestArgs {
  /** The requester: identity key, device key pair, certificate, name, presence secret. */
  from: { ik: Uint8Array; dk: Uint8Array; dkSecret: Uint8Array; certificate: Uint8Array; name: string; presenceSecret: Uint8Array };
  /** The owner: identity key and one device key (from its invite record), and the link's invite secret. */
  to: { ik: Uint8Array; dk: Uint8Array; inviteSecret: Uint8Array };
  message?: string;
  timestamp: number;
  powBits: number;
  randomBytes: (n: number) => Uint8Array;
}

/** The request's app payload and the hashes its stamp took; null if no stamp was found. */
export function buildRequestEnvelope(a: RequestArgs): { envelope: Uint8Array; hashes: number } | null {
  const body = encodeRequest({
    identityKey: a.from.ik,
    certificate: a.from.certificate,
    name: a.from.name,
    ...(a.message ? { message: a.message } : {}),
    presenceSecret: a.from.presenceSecret,
    inviteTag: inviteTag(a.to.inviteSecret, a.from.ik, a.to.ik),
  });
  const sealed = seal(body, {
    sender: { publicKey: a.from.dk, secretKey: a.from.dkSecret },
    recipient: a.to.dk,
    prologue: PROLOGUE.request,
    randomBytes: a.randomBytes,
  });
  const stamp = mintStamp(requestStampResource(a.to.ik, sealed, a.timestamp), a.powBits);
  if (!stamp) return null;
  return {
    envelope: encodeEnvelope({ kind: 'request', sealed, stamp: { timestamp: a.timestamp, counter: stamp.counter } }),
    hashes: stamp.hashes,
  };
}
