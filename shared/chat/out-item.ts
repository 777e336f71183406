/**
 * The messenger's outbox entries and queues: what a queued ratchet payload holds, its store key,
 * and the per-contact promise chains that order work (messenger.ts).
 */
import type { MailSlot } from './mailbox';
import type { JsonValue } from './store';

/** A queued ratchet payload: a message (in history) or a control frame (receipt, ready). */
export interface OutItem {
  cid: string;
  id: string;
  sentAt: number;
  control: boolean;
  frames: string[];
  sid?: string;
  wires?: string[];
  acked: number;
  mail?: MailSlot[];
}

/** Run `f` after everything queued under `cid` in `chains`, one at a time. */
export function queue<T>(chains: Map<string, Promise<void>>, cid: string, f: () => Promise<T>): Promise<T> {
  const prev = chains.get(cid) ?? Promise.resolve();
  const run = prev.then(f, f);
  chains.set(
    cid,
    run.then(
      () => undefined,
      () => undefined,
    ),
  );
  return run;
}

export function outKey(item: OutItem): string {
  return `out/${item.cid}/${String(item.sentAt).padStart(15, '0')}-${item.id}`;
}

export function json<T>(x: T): JsonValue {
  return JSON.parse(JSON.stringify(x)) as JsonValue;
}
