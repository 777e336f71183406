/**
 * When a tab reads its request slots and its contacts' mailboxes: each read is a DHT lookup, and
 * an idle tab's traffic is mostly these. Everything at start and after each rollover; between
 * them, the request slots every slotPollMs (an online requester retries straight to us, so the
 * slots mostly hold requests from people who went away since) and what is new in the mailboxes
 * every mailPollMs (mailbox.ts ReadMode 'new').
 */
import { CHAT_TIMERS } from './constants';
import type { ReadMode } from './mailbox';
import { periodOf } from './period';

export class MailReads {
  private lastSlots = -Infinity;
  private lastMail = -Infinity;
  private lastPeriod = -1;

  /** What to read at `now` (and counted as read): null for nothing, else whether the slots and how much mail. */
  due(now: number): { slots: boolean; mail: ReadMode } | null {
    const t = periodOf(now);
    const rollover = t !== this.lastPeriod;
    const slots = rollover || now - this.lastSlots >= CHAT_TIMERS.slotPollMs;
    if (!slots && now - this.lastMail < CHAT_TIMERS.mailPollMs) return null;
    this.lastPeriod = t;
    this.lastMail = now;
    if (slots) this.lastSlots = now;
    return { slots, mail: rollover ? 'full' : 'new' };
  }

  /** The slots and the mail are due at the next step. */
  soon(): void {
    this.lastSlots = -Infinity;
    this.lastMail = -Infinity;
  }
}
