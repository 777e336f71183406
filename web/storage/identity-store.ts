/**
 * The node's Ed25519 identity, kept in IndexedDB per profile so a reload keeps the same node id.
 * Creation is atomic (idb-keyval `update` runs in one readwrite transaction), so two tabs opening
 * the same profile at once end up with the same key. A corrupt stored identity is moved aside
 * (never silently lost) and a new one is created.
 */
import { createStore, get, set, update, type UseStore } from 'idb-keyval';
import { bytesEqual, bytesToHex, hexToBytes } from '../../shared/crypto/bytes';
import { nodeIdFromPublicKey, publicKeyOf, type KeyPair } from '../../shared/crypto/ed25519';
import { NODE_PUZZLE_BITS } from '../../shared/dht/constants';
import { solvesPuzzle, tryPuzzleKeyPairs } from '../../shared/dht/node-puzzle';
import { DEFAULT_DB_PREFIX, assertProfile } from './profile';

export const IDENTITY_FORMAT = 'p2p-id/1';
export const IDENTITY_KEY = 'ed25519';

interface StoredIdentityV1 {
  readonly f: typeof IDENTITY_FORMAT;
  /** 32-byte seed, hex. */
  readonly secretKey: string;
  /** 32-byte public key, hex (checked against the seed on load). */
  readonly publicKey: string;
  readonly createdAt: number;
}

export interface IdentityStoreOptions {
  /** Database name prefix. @default 'p2p-chat:' */
  readonly dbPrefix?: string;
  /** Timestamp recorded at creation. @default Date.now() */
  readonly now?: number;
  /**
   * The node-id puzzle's difficulty (shared/dht/node-puzzle.ts): a new key solves it (about
   * 2^bits key generations, once), and a stored key that does not is set aside and replaced.
   * @default NODE_PUZZLE_BITS
   */
  readonly puzzleBits?: number;
}

export interface LoadedIdentity {
  readonly keyPair: KeyPair;
  /** True when no usable identity existed and this call created it. */
  readonly created: boolean;
  /** True when a corrupt stored identity was moved aside (key `ed25519.corrupt.<time>`). */
  readonly replacedCorrupt: boolean;
}

function decodeIdentity(value: unknown): KeyPair | undefined {
  try {
    if (typeof value !== 'object' || value === null) return undefined;
    const s = value as Partial<Record<keyof StoredIdentityV1, unknown>>;
    if (s.f !== IDENTITY_FORMAT || typeof s.secretKey !== 'string' || typeof s.publicKey !== 'string') return undefined;
    if (!/^[0-9a-f]{64}$/.test(s.secretKey) || !/^[0-9a-f]{64}$/.test(s.publicKey)) return undefined;
    const secretKey = hexToBytes(s.secretKey);
    const publicKey = publicKeyOf(secretKey);
    return bytesEqual(publicKey, hexToBytes(s.publicKey)) ? { secretKey, publicKey } : undefined;
  } catch {
    return undefined;
  }
}

function encodeIdentity(kp: KeyPair, now: number): StoredIdentityV1 {
  return { f: IDENTITY_FORMAT, secretKey: bytesToHex(kp.secretKey), publicKey: bytesToHex(kp.publicKey), createdAt: now };
}

export function identityDbName(profile: string, dbPrefix = DEFAULT_DB_PREFIX): string {
  return `${dbPrefix}${assertProfile(profile)}:identity`;
}

/** A key that solves the puzzle, ground in slices of 32 keys (a few ms) that let the page paint and take input. */
async function grind(bits: number): Promise<KeyPair> {
  for (;;) {
    const r = tryPuzzleKeyPairs(bits, 32);
    if (r.keyPair) return r.keyPair;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** Load this profile's identity, creating and persisting one on first use. */
export async function loadOrCreateIdentity(profile = 'default', opts: IdentityStoreOptions = {}): Promise<LoadedIdentity> {
  const store: UseStore = createStore(identityDbName(profile, opts.dbPrefix), 'identity');
  const now = opts.now ?? Date.now();
  const bits = opts.puzzleBits ?? NODE_PUZZLE_BITS;
  const usable = (v: unknown): KeyPair | undefined => {
    const k = decodeIdentity(v);
    return k && solvesPuzzle(nodeIdFromPublicKey(k.publicKey), bits) ? k : undefined;
  };
  const existing = await get<unknown>(IDENTITY_KEY, store);
  const found = usable(existing);
  if (found) return { keyPair: found, created: false, replacedCorrupt: false };

  let replacedCorrupt = false;
  if (existing !== undefined) {
    // Set aside, never lost: a corrupt record, or a key made before the puzzle (a weak one).
    const weak = decodeIdentity(existing) !== undefined;
    await set(`${IDENTITY_KEY}.${weak ? 'weak' : 'corrupt'}.${now}`, existing, store);
    replacedCorrupt = !weak;
  }
  const fresh = await grind(bits);
  let created = false;
  await update<unknown>(
    IDENTITY_KEY,
    (old) => {
      // Another tab may have created (or repaired) it in the meantime: keep theirs.
      if (usable(old)) return old;
      created = true;
      return encodeIdentity(fresh, now);
    },
    store,
  );
  const stored = usable(await get<unknown>(IDENTITY_KEY, store));
  if (!stored) throw new Error('identity store: could not persist a key pair');
  return { keyPair: stored, created, replacedCorrupt };
}
