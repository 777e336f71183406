/**
 * One error type for the chat layer's API, with string codes. Remote input is never thrown into
 * the event loop: it is dropped and counted; these are for callers (the console API, the UI).
 */
export type ChatErrorCode =
  /** An address link that does not parse (wrong prefix, bad base64url, truncated, bad field). */
  | 'BAD_LINK'
  /** An address link whose checksum does not match (a typo or a cut-off copy). */
  | 'BAD_CHECKSUM'
  /** An address link of a version this app does not know. */
  | 'UNSUPPORTED_VERSION'
  /** The link is our own address. */
  | 'SELF_ADD'
  /** The contact is already known (requested, pending or accepted). */
  | 'DUPLICATE_CONTACT'
  /** No contact (or pending request) with this id. */
  | 'UNKNOWN_CONTACT'
  /** The operation does not fit the contact's state (e.g. accepting a contact already accepted). */
  | 'BAD_STATE'
  /** A malformed argument from the caller (name too long, text too long, wrong type). */
  | 'BAD_ARGUMENT'
  /** The owner of the address could not be found in the network (no invite record). */
  | 'NOT_FOUND'
  /** A sealed payload did not decrypt or verify. */
  | 'DECRYPT_FAILED'
  /** A backup file that is not ours, truncated or corrupted. */
  | 'BAD_BACKUP'
  /** The passphrase does not open the backup. */
  | 'WRONG_PASSPHRASE'
  /** The chat layer was closed. */
  | 'CLOSED'
  /** Storage refused a write (quota), or an earlier write failed and state is being reloaded. */
  | 'STORAGE'
  /** The peer is over its request rate: try again later. */
  | 'BUSY';

export class ChatError extends Error {
  override readonly name = 'ChatError';
  constructor(
    readonly code: ChatErrorCode,
    message?: string,
  ) {
    super(message ? `${code}: ${message}` : code);
  }
}
