/** Profile names (`?profile=NAME`) select separate IndexedDB databases for records and identity. */
export const DEFAULT_DB_PREFIX = 'p2p-chat:';
const PROFILE = /^[A-Za-z0-9_.-]{1,64}$/;

/** Validates a profile name (it becomes part of an IndexedDB database name). Throws TypeError. */
export function assertProfile(profile: string): string {
  if (typeof profile !== 'string' || !PROFILE.test(profile)) {
    throw new TypeError('profile must be 1-64 characters of A-Z a-z 0-9 _ . -');
  }
  return profile;
}

/** Delete every IndexedDB database of a profile (records, identity, chat): "delete everything". */
export async function deleteProfile(profile: string, dbPrefix = DEFAULT_DB_PREFIX): Promise<void> {
  assertProfile(profile);
  for (const part of ['records', 'identity', 'chat']) {
    await new Promise<void>((resolve, reject) => {
      const r = indexedDB.deleteDatabase(`${dbPrefix}${profile}:${part}`);
      r.onsuccess = () => resolve();
      r.onerror = () => reject(r.error);
      r.onblocked = () => resolve();
    });
  }
}
