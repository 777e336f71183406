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
/**
 * In the first this-many ms of a period, readers also fetch period t − 1, ms. With PREPUBLISH_MS a
 * reader whose clock runs up to 20 min ahead of the owner's still finds a record (the owner's
 * current period is t − 1 and it prepublished t in its last 10 min, or the reader asks for t − 1);
 * a reader behind the owner reads t − 1 as the owner last published it before rolling over
 * (records live 2 h). The cost is one extra get during a sixth of each hour.
 */
export const READ_PREVIOUS_MS = 10 * minute;
/** Own presence and invite records are republished this often, ms (well inside the 2 h replica TTL). */
export const REPUBLISH_MS = 20 * minute;
/**
 * Plaintext of every sealed record is padded to this size, bytes: the value is nonce 24 + 900 +
 * tag 16 = 940 bytes (944 bencoded), 56 under BEP 44's 1,000. The largest presence payload (4
 * certificates of 200 B, 4 node ids, the time) is 895 B, plus the pad's 2-byte length prefix.
 */
export const RECORD_PLAINTEXT_BYTES = 900;
/** A device certificate inside a record payload, bytes at most (opaque here; one is ~170 B of keys, ids, time and signature). */
export const MAX_CERTIFICATE_BYTES = 200;
/** Request slots per period for an offline owner. */
export const REQUEST_SLOTS = 8;
/** Leading zero bits of a request's Hashcash stamp: ~2^18 SHA-256 per request for the sender, one for the receiver. */
export const POW_BITS = 18;
/** A request stamp older than this is refused, ms. */
export const POW_MAX_AGE_MS = 48 * 60 * minute;
/** Display names, bytes of UTF-8. */
export const MAX_NAME_BYTES = 64;
/** First message of a request, bytes of UTF-8. */
export const MAX_REQUEST_MESSAGE_BYTES = 300;
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
/** The same for a node of an accepted contact (presence or a message that decrypted says so). */
export const CONTACT_APP_RATE = { perSecond: 5000, burst: 2000 } as const;

/** The chat node's maintenance timers, ms. */
export const CHAT_TIMERS = {
  /** Maintenance step: publish what is due, deliver what is owed, look contacts up. */
  tickMs: 15_000,
  /** Own invite and presence records are rebuilt this often (presence carries the update time). */
  republishMs: REPUBLISH_MS,
  /**
   * Our request slots (all of them) are read at start, after each rollover and this often. An
   * online requester retries straight to us (outbox.ts), so the slots hold mostly requests from
   * people who went away since: a slower read costs them nothing.
   */
  slotPollMs: 20 * minute,
  /**
   * Our contacts' mailboxes are read in full at start and after each rollover, and this often for
   * what is new: the slot after the last one read in this period, one lookup a contact.
   */
  mailPollMs: 5 * minute,
  /** A contact heard from within this window counts as online. */
  onlineWindowMs: 5 * minute,
  /** A contact online but not heard from for this long is pinged (a pong keeps it online). */
  pingMs: 2 * minute,
  /** A contact not online is looked up (its presence record) at most this often. */
  presenceRefreshMs: 5 * minute,
  /** A presence record older than this says its owner went away. */
  presenceFreshMs: REPUBLISH_MS + 5 * minute,
  /** A request or acceptance that could not be delivered is retried after this, doubling to the max. */
  retryMs: { first: 15_000, max: 10 * minute },
} as const;

/** Longest text message, bytes of UTF-8. */
export const MAX_TEXT_BYTES = 64 * 1024;
/** A text is cut into parts of at most this many bytes: one part fits one app payload and one mailbox slot. */
export const PART_BYTES = 640;
/** Incomplete multi-part messages kept per contact (older ones are dropped). */
export const MAX_PARTIAL_MESSAGES = 16;
/** Mailbox slots per pair, direction and period: bounds what one contact can store for another. */
export const MAILBOX_SLOTS = 64;
/**
 * Earlier periods a mailbox poll also reads: a sender who went away leaves its records in the
 * period it wrote them, alive 2 h after its last refresh (the values layer's expiry), so a reader
 * coming back within that lifetime finds them in the current period or the two before.
 */
export const MAILBOX_READ_BACK_PERIODS = 2;
/** The per-pair, per-direction mailbox secret, bytes. */
export const MAILBOX_SECRET_BYTES = 16;

/**
 * A mail keeper (mail-keeper.ts): an always-on peer of the user's own that reads the user's
 * mailbox slots while the user is away and holds what it finds, so mail outlives the 2 h that a
 * record lives after its sender went away too.
 */
export const KEEPER = {
  /** The keeper reads the watched slots this often, ms: well within a record's 2 h lifetime. */
  pollMs: 20 * minute,
  /** Items held at most (about 1 MB); past it the oldest goes first, counted. */
  maxHeld: 1024,
  /** An item not collected for this long is dropped, ms (two weeks). */
  holdMs: 14 * 24 * 60 * minute,
  /** Pull rounds per read step on the owner's side (each answer carries about 8 items). */
  pullRounds: 32,
  /** How long a pull waits for the keeper's answer, ms. */
  pullTimeoutMs: 10_000,
} as const;
/** Mailbox secrets one keep request may name: contacts watched at most. */
export const MAX_KEEPER_WATCH = 256;
