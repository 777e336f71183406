/**
 * RecordStore on the file system, for the headless Node peer. One JSON file per record
 * (`<dir>/records/<target>.json`, the same `p2p-rec/1` layout as the browser's IndexedDB store)
 * and one per meta value (`<dir>/meta/<hex of key>.json`).
 *
 *  - Atomic writes: write a temp file in the same directory, then rename over the target, so a
 *    crash leaves either the old or the new file, never half of one.
 *  - Writes to one file are serialized (a later put can never be overtaken by an earlier one).
 *  - Corrupt, foreign or unreadable files are skipped and counted (`skipped`, `warnings`), never
 *    thrown; leftover temp files from a crash are ignored and removed.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesToHex } from '../../shared/crypto/bytes';
import type { PersistedRecord, RecordStore } from '../../shared/env/store';
import { decodeMeta, decodeRecord, encodeMeta, encodeRecord, RECORD_KEY_PREFIX } from '../storage/idb-codec';

const TARGET_FILE = /^([0-9a-f]{40})\.json$/;
const TMP_MARK = '.tmp-';

export class FileRecordStore implements RecordStore {
  readonly recordsDir: string;
  readonly metaDir: string;
  /** Entries skipped as corrupt or foreign (records and meta), over this instance's lifetime. */
  warnings = 0;
  private readonly chains = new Map<string, Promise<void>>();
  private tmpCounter = 0;
  private ready: Promise<void> | undefined;

  constructor(readonly dir: string) {
    this.recordsDir = join(dir, 'records');
    this.metaDir = join(dir, 'meta');
  }

  async loadAll(): Promise<{ records: PersistedRecord[]; skipped: number }> {
    await this.init();
    const names = await readdir(this.recordsDir);
    const records: PersistedRecord[] = [];
    let skipped = 0;
    for (const name of names) {
      if (name.includes(TMP_MARK)) {
        // A write interrupted by a crash: the rename never happened, the old file (if any) stands.
        await rm(join(this.recordsDir, name), { force: true }).catch(() => undefined);
        continue;
      }
      const m = TARGET_FILE.exec(name);
      let rec: PersistedRecord | undefined;
      if (m) {
        try {
          const raw: unknown = JSON.parse(await readFile(join(this.recordsDir, name), 'utf8'));
          rec = decodeRecord(RECORD_KEY_PREFIX + m[1], raw);
        } catch {
          rec = undefined;
        }
      }
      if (rec) records.push(rec);
      else {
        skipped++;
        this.warnings++;
      }
    }
    return { records, skipped };
  }

  async put(entry: PersistedRecord): Promise<void> {
    if (!/^[0-9a-f]{40}$/.test(entry.target)) throw new TypeError('target must be 40 lower-case hex chars');
    const body = JSON.stringify(encodeRecord(entry));
    await this.write(this.recordsDir, `${entry.target}.json`, body);
  }

  async delete(target: string): Promise<void> {
    if (!/^[0-9a-f]{40}$/.test(target)) return;
    await this.serial(join(this.recordsDir, `${target}.json`), async (file) => {
      await rm(file, { force: true });
    });
  }

  async getMeta(key: string): Promise<Uint8Array | undefined> {
    await this.init();
    const file = join(this.metaDir, `${metaName(key)}.json`);
    await this.chains.get(file);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    let value: Uint8Array | undefined;
    try {
      value = decodeMeta(JSON.parse(text));
    } catch {
      value = undefined;
    }
    if (!value) this.warnings++;
    return value;
  }

  async setMeta(key: string, value: Uint8Array): Promise<void> {
    await this.write(this.metaDir, `${metaName(key)}.json`, JSON.stringify(encodeMeta(value)));
  }

  /** Resolves when every write issued so far has settled. */
  async flush(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.recordsDir, { recursive: true, mode: 0o700 });
      await mkdir(this.metaDir, { recursive: true, mode: 0o700 });
    })();
    return this.ready;
  }

  private async write(dir: string, name: string, body: string): Promise<void> {
    await this.init();
    await this.serial(join(dir, name), async (file) => {
      const tmp = join(dir, `${name}${TMP_MARK}${process.pid}-${++this.tmpCounter}`);
      try {
        await writeFile(tmp, body, { mode: 0o600 });
        await rename(tmp, file);
      } catch (e) {
        await rm(tmp, { force: true }).catch(() => undefined);
        throw e;
      }
    });
  }

  /** Run `op` after every earlier operation on the same file. */
  private serial(file: string, op: (file: string) => Promise<void>): Promise<void> {
    const prev = this.chains.get(file) ?? Promise.resolve();
    const run = prev.then(
      () => op(file),
      () => op(file),
    );
    const settled = run.catch(() => undefined);
    this.chains.set(file, settled);
    void settled.then(() => {
      if (this.chains.get(file) === settled) this.chains.delete(file);
    });
    return run;
  }
}

/** Meta keys are free-form strings: hex-encode them so any key is a safe file name. */
function metaName(key: string): string {
  const hex = bytesToHex(new TextEncoder().encode(key));
  if (hex.length > 400) throw new RangeError('meta key too long');
  return hex;
}
