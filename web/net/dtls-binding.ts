/**
 * Channel binding for the chat's Noise handshakes (docs/chat-design.md): the DTLS certificate
 * fingerprints that each side's SDP announced (`a=fingerprint:`, RFC 8122), as libp2p's WebRTC
 * spec binds them into its Noise prologue. Both ends see the same two fingerprints, one as local
 * and one as remote, so the binding is over the sorted pair; a relay that terminated DTLS would
 * show each end a different pair and the handshake would fail.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../../shared/crypto/bytes';

/** Longest fingerprint line we read: sha-512 in hex pairs with colons is 191 characters. */
const MAX_FINGERPRINT = 256;

/** The session-level (or first media-level) `a=fingerprint:` of an SDP, normalised, or undefined. */
export function sdpFingerprint(sdp: string): string | undefined {
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith('a=fingerprint:')) continue;
    const value = line.slice('a=fingerprint:'.length).trim();
    if (value.length === 0 || value.length > MAX_FINGERPRINT) return undefined;
    const [alg, digest, ...rest] = value.split(/\s+/);
    if (!alg || !digest || rest.length > 0 || !/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+$/.test(digest)) return undefined;
    return `${alg.toLowerCase()} ${digest.toUpperCase()}`;
  }
  return undefined;
}

/** SHA-256 over both fingerprints in sorted order (32 bytes); empty unless both are known. */
export function channelBinding(local: string | undefined, remote: string | undefined): Uint8Array {
  if (!local || !remote) return new Uint8Array(0);
  const [a, b] = [local, remote].sort();
  return sha256(utf8.encode(`p2p-chat dtls v1\n${a}\n${b}`));
}
