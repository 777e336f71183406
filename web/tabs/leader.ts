/**
 * One node per browser profile: the tab holding the profile's Web Lock runs the node, every other
 * tab of the profile is a view onto it (proxy.ts). A tab asks with `ifAvailable` first, so it
 * knows at once which it is; a view then queues for the lock, and the browser grants it the moment
 * the holder's document goes away (tab closed, crashed, navigated), so the first queued view takes
 * the node over at once. The lock is held for the life of the document: never released by hand,
 * so no two tabs can run the same identity (and fork its ratchets), not even for a moment.
 */
import { lockName } from './protocol';

export interface NodeClaim {
  /** True when this tab got the node at once; false when another tab holds it. */
  readonly first: Promise<boolean>;
  /** Resolves when this tab holds the node: at once, or when the holder's tab goes away. */
  readonly granted: Promise<void>;
}

/** Hold a lock until the document goes away. */
const holdForever = (): Promise<never> => new Promise<never>(() => {});

/**
 * Claim the node of `profile`. Without the Web Locks API (old browsers, insecure contexts) every
 * tab runs its own node, as before.
 */
export function claimNode(profile: string, locks: LockManager | undefined = globalThis.navigator?.locks): NodeClaim {
  if (!locks) return { first: Promise.resolve(true), granted: Promise.resolve() };
  const name = lockName(profile);
  let setFirst!: (v: boolean) => void;
  let setGranted!: () => void;
  const first = new Promise<boolean>((r) => {
    setFirst = r;
  });
  const granted = new Promise<void>((r) => {
    setGranted = r;
  });
  const hold = (): Promise<never> => {
    setGranted();
    return holdForever();
  };
  locks
    .request(name, { ifAvailable: true }, (lock) => {
      if (lock) {
        setFirst(true);
        return hold();
      }
      setFirst(false);
      void locks.request(name, hold);
      return undefined;
    })
    .catch(() => {
      setFirst(true);
      setGranted();
    });
  return { first, granted };
}
