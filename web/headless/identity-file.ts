/**
 * The headless peer's Ed25519 identity in `<dataDir>/identity.json` (mode 0600), in the same
 * format as the browser's IndexedDB identity (`p2p-id/1`), so a restart keeps the node id.
 * A corrupt file is moved aside (never silently lost) and a new identity is created; so is a key
 * whose node id does not solve the node-id puzzle (shared/dht/node-puzzle.ts) at `puzzleBits`.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesEqual, bytesToHex, hexToBytes } from '../../shared/crypto/bytes';
import { nodeIdFromPublicKey, publicKeyOf, type KeyPair } from '../../shared/crypto/ed25519';
import { NODE_PUZZLE_BITS } from '../../shared/dht/constants';
import { generatePuzzleKeyPair, solvesPuzzle } from '../../shared/dht/node-puzzle';

const FORMAT = 'p2p-id/1';

export async function loadOrCreateIdentity(
  dataDir: string,
  now = Date.now(),
  puzzleBits = NODE_PUZZLE_BITS,
): Promise<{ keys: KeyPair; created: boolean }> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'identity.json');
  let text: string | null = null;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (text !== null) {
    const keys = parse(text);
    if (keys && solvesPuzzle(nodeIdFromPublicKey(keys.publicKey), puzzleBits)) return { keys, created: false };
    await rename(file, `${file}.${keys ? 'weak' : 'corrupt'}-${now}`);
  }
  const keys = generatePuzzleKeyPair(puzzleBits).keyPair;
  const body = JSON.stringify({ f: FORMAT, secretKey: bytesToHex(keys.secretKey), publicKey: bytesToHex(keys.publicKey), createdAt: now });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, `${body}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
  return { keys, created: true };
}

function parse(text: string): KeyPair | null {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    if (o.f !== FORMAT || typeof o.secretKey !== 'string' || typeof o.publicKey !== 'string') return null;
    const secretKey = hexToBytes(o.secretKey);
    const publicKey = hexToBytes(o.publicKey);
    if (secretKey.length !== 32 || !bytesEqual(publicKeyOf(secretKey), publicKey)) return null;
    return { secretKey, publicKey };
  } catch {
    return null;
  }
}
