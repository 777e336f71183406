/**
 * Encrypted backups of a profile's chat: identity, contacts, history and settings (not sessions:
 * a restored device starts new ones, which the other side accepts beside its old ones).
 *
 *   file = "p2p-chat backup 1\n" ‖ u8 log2 N ‖ u8 r ‖ u8 p ‖ salt (16) ‖ nonce (24) ‖ ciphertext
 *   key  = scrypt(passphrase (UTF-8, NFKC), salt, N, r, p, 32)
 *   ciphertext = XChaCha20-Poly1305(key, nonce, JSON of the entries, AD = the header before it)
 *
 * A wrong passphrase fails authentication (WRONG_PASSPHRASE); anything else malformed is
 * BAD_BACKUP. Nothing is written until the whole file has opened and checked out.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { randomBytes as cryptoRandomBytes } from '@noble/hashes/utils.js';
import { concatBytes, utf8 } from '../crypto/bytes';
import { ChatError } from './errors';
import type { ChatStore, JsonValue } from './store';

const MAGIC = utf8.encode('p2p-chat backup 1\n');
/** scrypt cost: N = 2^15, r = 8 (32 MB, about half a second in a browser), p = 1. */
export const BACKUP_KDF = { logN: 15, r: 8, p: 1 } as const;
const HEADER = MAGIC.length + 3 + 16 + 24;
/** Largest backup opened, bytes (history included). */
export const MAX_BACKUP_BYTES = 256 * 1024 * 1024;

/** Which store entries a backup carries. */
export function inBackup(key: string): boolean {
  return key === 'identity' || key === 'settings' || /^(contact|msg|mid|out|part)\//.test(key);
}

async function keyFor(passphrase: string, salt: Uint8Array, logN: number, r: number, p: number): Promise<Uint8Array> {
  return scryptAsync(utf8.encode(passphrase.normalize('NFKC')), salt, { N: 2 ** logN, r, p, dkLen: 32, maxmem: 2 ** 30 });
}

export async function sealBackup(
  entries: Array<[string, JsonValue]>,
  passphrase: string,
  randomBytes: (n: number) => Uint8Array = (n) => cryptoRandomBytes(n),
): Promise<Uint8Array> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new ChatError('BAD_ARGUMENT', 'a passphrase is needed');
  const salt = randomBytes(16);
  const nonce = randomBytes(24);
  const { logN, r, p } = BACKUP_KDF;
  const header = concatBytes(MAGIC, Uint8Array.of(logN, r, p), salt, nonce);
  const key = await keyFor(passphrase, salt, logN, r, p);
  const body = utf8.encode(JSON.stringify({ v: 1, entries }));
  return concatBytes(header, xchacha20poly1305(key, nonce, header).encrypt(body));
}

export async function openBackup(file: Uint8Array, passphrase: string): Promise<Array<[string, JsonValue]>> {
  if (!(file instanceof Uint8Array) || file.length < HEADER + 16 || file.length > MAX_BACKUP_BYTES)
    throw new ChatError('BAD_BACKUP', 'not a backup of this app');
  for (let i = 0; i < MAGIC.length; i++) if (file[i] !== MAGIC[i]) throw new ChatError('BAD_BACKUP', 'not a backup of this app');
  const at = MAGIC.length;
  const [logN, r, p] = [file[at]!, file[at + 1]!, file[at + 2]!];
  if (logN < 10 || logN > 20 || r < 1 || r > 16 || p < 1 || p > 4)
    throw new ChatError('BAD_BACKUP', 'unsupported key derivation parameters');
  const salt = file.subarray(at + 3, at + 19);
  const nonce = file.subarray(at + 19, HEADER);
  const key = await keyFor(passphrase, salt, logN, r, p);
  let body: Uint8Array;
  try {
    body = xchacha20poly1305(key, nonce, file.subarray(0, HEADER)).decrypt(file.subarray(HEADER));
  } catch {
    throw new ChatError('WRONG_PASSPHRASE', 'the passphrase does not open this backup (or the file was changed)');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(body));
  } catch {
    throw new ChatError('BAD_BACKUP', 'the backup does not parse');
  }
  const o = parsed as { v?: unknown; entries?: unknown };
  if (o?.v !== 1 || !Array.isArray(o.entries)) throw new ChatError('BAD_BACKUP', 'unknown backup version');
  const entries = o.entries as unknown[];
  if (!entries.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && inBackup(e[0])))
    throw new ChatError('BAD_BACKUP', 'the backup holds entries it should not');
  if (!entries.some((e) => (e as [string])[0] === 'identity')) throw new ChatError('BAD_BACKUP', 'the backup holds no identity');
  return entries as Array<[string, JsonValue]>;
}

/** A backup of everything in `store` a backup carries. */
export async function exportStore(store: ChatStore, passphrase: string, randomBytes?: (n: number) => Uint8Array): Promise<Uint8Array> {
  const entries = (await store.list('')).filter(([k]) => inBackup(k));
  return sealBackup(entries, passphrase, randomBytes);
}

/** Replace everything in `store` with a backup's entries, in one batch, once the file has checked out. */
export async function importStore(
  store: ChatStore,
  file: Uint8Array,
  passphrase: string,
  identityOk: (v: JsonValue) => boolean,
): Promise<void> {
  const entries = await openBackup(file, passphrase);
  if (!identityOk(entries.find(([k]) => k === 'identity')![1]))
    throw new ChatError('BAD_BACKUP', 'the identity in the backup does not decode');
  const current = await store.list('');
  await store.batch([...current.map(([key]) => ({ key, delete: true as const })), ...entries.map(([key, value]) => ({ key, value }))]);
}

/** Delete every entry of `store`. */
export async function wipeStore(store: ChatStore): Promise<void> {
  const current = await store.list('');
  await store.batch(current.map(([key]) => ({ key, delete: true as const })));
}
