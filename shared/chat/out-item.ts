/**
 * The messenger's outbox entries and queues: what a queued ratchet payload holds, its store key,
 * and the per-contact promise chains that order work (messenger.ts).
 */
import { MAX_APP_PAYLOAD } from '../protocol/wire';
import { MAX_BUNDLE } from './frames';

/** Where one message part (or a slot's bundle of short messages) was written: period, slot and record target. */
export interface MailSlot {
  t: number;
  slot: number;
  target: string;
}

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

/** The list under `key` in `map`, created empty when missing. */
export function listOf<T>(map: Map<string, T[]>, key: string): T[] {
  let l = map.get(key);
  if (!l) {
    l = [];
    map.set(key, l);
  }
  return l;
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

/** The slots of `slots` that no item of `items` is in (each once): what may be cleared. */
export function freeSlots(items: readonly OutItem[], slots: readonly MailSlot[]): MailSlot[] {
  const key = (s: MailSlot) => `${s.t}:${s.slot}`;
  const held = new Set(items.flatMap((i) => (i.mail ?? []).map(key)));
  const out = new Map<string, MailSlot>();
  for (const s of slots) if (!held.has(key(s))) out.set(key(s), s);
  return [...out.values()];
}

export function outKey(item: OutItem): string {
  return `out/${item.cid}/${String(item.sentAt).padStart(15, '0')}-${item.id}`;
}

/** A bundle envelope's bytes besides its messages (code, session id, count), and each message's length. */
const BUNDLE_HEAD = 10;
const PER_MESSAGE = 2;

/**
 * Encrypted items cut into what one request (or one mailbox slot) carries: runs of single-part
 * items under one session share a bundle (up to MAX_BUNDLE, its envelope within `maxBytes`); an
 * item of several parts goes alone.
 */
export function sendUnits(items: OutItem[], maxBytes: number = MAX_APP_PAYLOAD): OutItem[][] {
  const out: OutItem[][] = [];
  let cur: OutItem[] = [];
  let bytes = BUNDLE_HEAD;
  const close = () => {
    if (cur.length > 0) out.push(cur);
    cur = [];
    bytes = BUNDLE_HEAD;
  };
  for (const item of items) {
    if (item.wires?.length !== 1) {
      close();
      out.push([item]);
      continue;
    }
    const size = item.wires[0]!.length / 2 + PER_MESSAGE;
    if (cur.length >= MAX_BUNDLE || bytes + size > maxBytes || (cur.length > 0 && cur[0]!.sid !== item.sid)) close();
    cur.push(item);
    bytes += size;
  }
  close();
  return out;
}
