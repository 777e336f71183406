/**
 * The chat store of the headless peer: one JSON file (`chat.json` in its data directory) held in
 * memory and rewritten atomically (write a temporary file, fsync, rename) on every batch, so a
 * crash leaves either the old file or the new one, never a torn one. Fine for an always-on peer's
 * state; a history of millions of messages would want a database.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { inRange, type ChatStore, type JsonValue, type ListOptions, type StoreOp } from '../../shared/chat/store';

export class FileChatStore implements ChatStore {
  private map = new Map<string, JsonValue>();
  private chain: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string) {}

  /** Open (or create) the store in `dir`. A corrupt file is an error, never silently replaced. */
  static async open(dir: string): Promise<FileChatStore> {
    await mkdir(dir, { recursive: true });
    const s = new FileChatStore(join(dir, 'chat.json'));
    try {
      const parsed = JSON.parse(await readFile(s.file, 'utf8')) as Record<string, JsonValue>;
      s.map = new Map(Object.entries(parsed));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`chat store ${s.file} is unreadable: ${String(e)}`);
    }
    return s;
  }

  async get(key: string): Promise<JsonValue | undefined> {
    const v = this.map.get(key);
    return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as JsonValue);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<Array<[string, JsonValue]>> {
    const rows = [...this.map.entries()].filter(([k]) => k.startsWith(prefix)).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    return inRange(rows, opts).map(([k, v]) => [k, JSON.parse(JSON.stringify(v)) as JsonValue]);
  }

  batch(ops: StoreOp[]): Promise<void> {
    const copies = ops.map((op) => ('delete' in op ? op : { key: op.key, value: JSON.parse(JSON.stringify(op.value)) as JsonValue }));
    const run = this.chain.then(async () => {
      // Built when its turn comes, on top of every batch before it.
      const next = new Map(this.map);
      for (const op of copies) {
        if ('delete' in op) next.delete(op.key);
        else next.set(op.key, op.value);
      }
      const text = JSON.stringify(Object.fromEntries(next));
      const tmp = `${this.file}.tmp`;
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.file);
      this.map = next;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
