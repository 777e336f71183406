/**
 * Every default of the chat layer, with its unit and the reason for its value. docs/chat-design.md
 * describes the constructions these parameterize.
 */
const minute = 60_000;

/** Presence and invite records are keyed per period of this length, ms (Tor's blinding period, in minutes below). */
export const PERIOD_MS = 60 * minute;
export const PERIOD_MINUTES = 60;
/** In the last this-many ms of a period, the next period's records are published too. */
export const PREPUBLISH_MS = 10 * minute;
/** Own presence and invite records are republished this often, ms (well inside the 2 h replica TTL). */
export const REPUBLISH_MS = 20 * minute;
/** Plaintext of every sealed record is padded to this size, bytes (ciphertext + nonce + tag stay under BEP 44's 1,000). */
export const RECORD_PLAINTEXT_BYTES = 900;
/** Request slots per period for an offline owner. */
export const REQUEST_SLOTS = 8;
/** Leading zero bits of a request's Hashcash stamp: ~2^18 SHA-256 per request for the sender, one for the receiver. */
export const POW_BITS = 18;
/** A request stamp older than this is refused, ms. */
export const POW_MAX_AGE_MS = 48 * 60 * minute;
/** Display names, bytes of UTF-8. */
export const MAX_NAME_BYTES = 64;
/** First message of a request, bytes of UTF-8. */
export const MAX_REQUEST_MESSAGE_BYTES = 500;
/** Invite secret, bytes. */
export const INVITE_SECRET_BYTES = 16;
/** Presence secret, bytes. */
export const PRESENCE_SECRET_BYTES = 32;
/** Device certificates kept per contact (devices of one person). */
export const MAX_DEVICES = 4;
/** Pending incoming requests kept at most (oldest dropped beyond). */
export const MAX_PENDING_REQUESTS = 200;
/** App payloads accepted per sending node per second, and burst (a chat burst plus its acks). */
export const APP_RATE = { perSecond: 50, burst: 200 } as const;
