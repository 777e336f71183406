/**
 * A connection pool open to strangers, for tests of the transport itself (dials, glare, redials,
 * DHT over WebRTC) where peers call each other with no agreed link. The strangers' budget has its
 * own tests (test/unit/web/net/offer-flood.test.ts, connection-pool.test.ts).
 */
import type { ConnectionPoolInit } from '../../web/net/connection-pool';

export const OPEN_TO_STRANGERS = {
  strangerSlots: 10_000,
  strangerLifetime: 1_000_000,
  strangerRate: { perMinute: 1_000_000, burst: 1_000_000 },
  strangerPerSender: { perHour: 1_000_000, burst: 1_000_000 },
} as const satisfies ConnectionPoolInit;
