/** What people read: error messages by code (what happened and what to do), times and days. */
import type { ChatErrorCode } from '../../shared/chat/errors';

export function errorCode(e: unknown): string | undefined {
  if (e && typeof e === 'object') {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if ((e as { name?: unknown }).name === 'QuotaExceededError') return 'STORAGE';
  }
  return undefined;
}

export const STORAGE_TEXT =
  'Your browser has no room left to save this. Free some space (in your browser: Settings → Privacy → Site data, or delete other downloads), ' +
  'then try again. Exporting a backup first keeps your chats safe.';

const TEXTS: Record<ChatErrorCode, string> = {
  BAD_LINK: 'That is not a chat address link. Copy the whole link and try again.',
  BAD_CHECKSUM: 'This link is damaged: a character is missing or changed. Ask for the link again.',
  UNSUPPORTED_VERSION: 'This link comes from a newer version of the app. Reload the page to update, then try again.',
  SELF_ADD: 'That is your own address.',
  DUPLICATE_CONTACT: 'This person is already in your contacts.',
  UNKNOWN_CONTACT: 'This contact is not in your list any more.',
  BAD_STATE: 'That cannot be done right now.',
  BUSY: 'Your contact is busy. Trying again shortly.',
  BAD_ARGUMENT: 'That is too long or not allowed here.',
  NOT_FOUND: 'This person could not be found on the network. They may be offline; it will be tried again.',
  DECRYPT_FAILED: 'Something arrived that could not be decrypted, so it was dropped.',
  BAD_BACKUP: 'This file is not a backup from this app, or it is damaged.',
  WRONG_PASSPHRASE: 'That passphrase does not open this backup. Check it and try again.',
  CLOSED: 'The chat stopped in this tab. Reload the page to start it again.',
  STORAGE: STORAGE_TEXT,
};

/** A sentence for a person, for any error the API or the browser throws. */
export function errorText(e: unknown): string {
  const code = errorCode(e);
  if (code && code in TEXTS) return TEXTS[code as ChatErrorCode];
  const msg = e instanceof Error ? e.message : String(e);
  return `Something went wrong: ${msg}`;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
const dateFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const shortDayFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

export const timeText = (ms: number): string => timeFmt.format(ms);

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

export const sameDay = (a: number, b: number): boolean => startOfDay(a) === startOfDay(b);

/** "Today", "Yesterday", "Monday 3 March", or a full date over a year ago. */
export function dayText(ms: number, now = Date.now()): string {
  const days = Math.round((startOfDay(now) - startOfDay(ms)) / 86_400_000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days < 300) return dayFmt.format(ms);
  return dateFmt.format(ms);
}

/** A contact row's time: the time today, else the day. */
export function shortWhen(ms: number, now = Date.now()): string {
  if (sameDay(ms, now)) return timeText(ms);
  if (Math.round((startOfDay(now) - startOfDay(ms)) / 86_400_000) === 1) return 'Yesterday';
  return shortDayFmt.format(ms);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
