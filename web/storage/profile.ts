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
