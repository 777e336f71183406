/**
 * Our own invite and presence records: published for the periods due (the current one, the next
 * in the current one's last minutes, the previous in its first minutes, for readers whose clock
 * is off), rebuilt every republish interval, and forgotten here once no longer due (other holders'
 * copies expire with the TTL). A rotated secret starts over (`reset`).
 */
import { bytesToHex } from '../crypto/bytes';
import { CHAT_TIMERS } from './constants';
import type { ChatContext } from './context';
import { periodsToPublish, periodsToRead } from './period';

export class Publisher {
  private readonly publishedAt = new Map<string, number>();
  private readonly targets = new Map<string, string>();

  constructor(
    private readonly chat: ChatContext,
    private readonly plaintext: (kind: 'invite' | 'presence') => Uint8Array,
  ) {}

  reset(): void {
    this.publishedAt.clear();
  }

  async publishDue(): Promise<void> {
    const chat = this.chat;
    const now = chat.now;
    const periods = new Set([...periodsToPublish(now), ...periodsToRead(now)]);
    const keep = new Set<string>();
    const jobs: Array<Promise<unknown>> = [];
    const seq = Math.floor(now / 1000);
    for (const t of periods) {
      for (const kind of ['invite', 'presence'] as const) {
        const secret = kind === 'invite' ? chat.me.inviteSecret : chat.me.presenceSecret;
        const key = `${kind}/${t}/${bytesToHex(secret)}`;
        keep.add(key);
        const at = this.publishedAt.get(key);
        if (at !== undefined && now - at < CHAT_TIMERS.republishMs) continue;
        this.publishedAt.set(key, now);
        jobs.push(
          Promise.resolve()
            .then(() => chat.records.publish({ kind, ikSeed: chat.me.ikSeed, secret, t, plaintext: this.plaintext(kind), seq }))
            .then(
              (r) => this.targets.set(key, r.target),
              () => chat.counters.inc('publish.error'),
            ),
        );
      }
    }
    await Promise.all(jobs);
    for (const [key, target] of this.targets) {
      if (keep.has(key)) continue;
      chat.records.forget(target);
      this.targets.delete(key);
      this.publishedAt.delete(key);
    }
  }
}
