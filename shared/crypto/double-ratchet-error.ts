/** The one error class of the Double Ratchet modules (double-ratchet*.ts). */

/**
 * - DECRYPT_FAILED: the MAC did not verify (wrong key, tampered header, ciphertext, MAC or AD),
 *   or the ciphertext has an impossible length. The state the caller holds is unchanged.
 * - TOO_MANY_SKIPPED: the header asks us to skip more than MAX_SKIP message keys in one chain.
 * - BAD_HEADER: a header field is out of range, names a low-order DH key, or names a chain we
 *   have no receiving key for.
 * - DUPLICATE: the message key for (dh, n) was already used (the message was decrypted before) or
 *   was discarded under MAX_SKIPPED_TOTAL; the message can never be decrypted again.
 * - BAD_STATE: a serialized state is corrupt, truncated, of an unknown version or inconsistent.
 * - BAD_MESSAGE: the wire form of a message is malformed (decodeMessage).
 * - BAD_KEY: a local key given to an init function is malformed or of low order.
 * - BAD_INPUT: a caller argument is out of range (plaintext too long, counter exhausted).
 * - NO_SENDING_CHAIN: Bob tried to encrypt before receiving Alice's first message (spec 3.3:
 *   Bob's sending chain only exists after his first DH ratchet step).
 */
export type RatchetErrorCode =
  | 'DECRYPT_FAILED'
  | 'TOO_MANY_SKIPPED'
  | 'BAD_HEADER'
  | 'DUPLICATE'
  | 'BAD_STATE'
  | 'BAD_MESSAGE'
  | 'BAD_KEY'
  | 'BAD_INPUT'
  | 'NO_SENDING_CHAIN';

export class RatchetError extends Error {
  override readonly name = 'RatchetError';
  constructor(
    readonly code: RatchetErrorCode,
    detail?: string,
  ) {
    super(detail ? `${code}: ${detail}` : code);
  }
}
