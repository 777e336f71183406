/**
 * What the app shows before the chat answers: the person's name and contact list as last seen,
 * kept per profile in localStorage, so a returning profile sees its list at once (and a new one
 * its first run) while the node starts. Live data replaces it the moment the chat answers; online
 * states are never cached. "Delete everything" clears it with the rest.
 */
import type { ContactInfo, MeInfo, RequestInfo } from '../../shared/chat/api-types';

export interface ShellCache {
  me: MeInfo;
  contacts: ContactInfo[];
  requests: RequestInfo[];
}

const key = (profile: string): string => `p2p-chat:${profile}:shell`;
const written = new Map<string, string>();

export function loadShellCache(profile: string): ShellCache | undefined {
  try {
    const raw = globalThis.localStorage?.getItem(key(profile));
    if (!raw) return undefined;
    const v = JSON.parse(raw) as ShellCache;
    if (typeof v?.me?.name !== 'string' || !Array.isArray(v.contacts) || !Array.isArray(v.requests)) return undefined;
    return v;
  } catch {
    return undefined;
  }
}

export function saveShellCache(profile: string, c: ShellCache): void {
  const text = JSON.stringify({
    me: { identityKey: c.me.identityKey, name: c.me.name, address: '' },
    contacts: c.contacts.map((x) => ({ ...x, online: false })),
    requests: c.requests,
  });
  if (written.get(profile) === text) return;
  try {
    globalThis.localStorage?.setItem(key(profile), text);
    written.set(profile, text);
  } catch {
    // storage full or off: the app only starts a little slower
  }
}

export function clearShellCache(profile: string): void {
  written.delete(profile);
  try {
    globalThis.localStorage?.removeItem(key(profile));
  } catch {
    // nothing to clear
  }
}
