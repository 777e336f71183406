/**
 * The headless Node peer's records: the file-backed RecordStore (atomic writes, corrupt files
 * skipped and counted), and two peers over real WebRTC (@roamhq/wrtc) and the real signal server
 * putting and getting records, with records and seqs surviving a restart of the CLI (SIGTERM).
 * Run inside ../shared/tools/loopback-only.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { joinedWithContacts, PeerRig } from '../helpers/peer-rig';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../shared/crypto/ed25519';
import { bytesToHex, utf8 } from '../../shared/crypto/bytes';
import { mutableTarget, signMutable } from '../../shared/records/bep44';
import { FileRecordStore } from '../../web/headless/file-record-store';

const rig = new PeerRig();
afterEach(() => rig.cleanup());

function record(seq: number, value: string) {
  const kp = generateKeyPair(new Uint8Array(32).fill(7));
  const salt = utf8.encode('s');
  const rec = signMutable({ secretKey: kp.secretKey, salt, seq, value: utf8.encode(value) });
  return { target: bytesToHex(mutableTarget(kp.publicKey, salt)), record: rec, storedAt: 1000 + seq };
}

describe('FileRecordStore', () => {
  it('round-trips records and meta, replaces atomically, skips and counts corrupt files', async () => {
    const dir = await rig.tempDir('file-store-');
    const s = new FileRecordStore(dir);
    const a = record(1, 'one');
    await s.put(a);
    await Promise.all([s.put(record(2, 'two')), s.put(record(3, 'three'))]);
    await s.setMeta('seq:x:', new Uint8Array([0, 0, 0, 0, 0, 0, 0, 9]));
    const files = await readdir(join(dir, 'records'));
    expect(files).toEqual([`${a.target}.json`]); // no temp files left behind
    // A stray temp file (crash mid-write) and corrupt / foreign files.
    await writeFile(join(dir, 'records', `${a.target}.json.tmp-1-1`), '{"half');
    await writeFile(join(dir, 'records', `${'ab'.repeat(20)}.json`), 'not json');
    await writeFile(join(dir, 'records', 'notes.txt'), 'hello');
    const wrongTarget = JSON.parse(await readFile(join(dir, 'records', `${a.target}.json`), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'records', `${'cd'.repeat(20)}.json`), JSON.stringify(wrongTarget));

    const again = new FileRecordStore(dir);
    const { records, skipped } = await again.loadAll();
    expect(skipped).toBe(3);
    expect(again.warnings).toBe(3);
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r.target).toBe(a.target);
    expect(r.record.type === 'mutable' && r.record.seq).toBe(3);
    expect(r.record.type === 'mutable' && utf8.decode(r.record.v)).toBe('three');
    expect(await again.getMeta('seq:x:')).toEqual(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 9]));
    expect(await again.getMeta('missing')).toBeUndefined();
    await writeFile(join(dir, 'meta', `${Buffer.from('bad').toString('hex')}.json`), '{');
    expect(await again.getMeta('bad')).toBeUndefined();
    expect(again.warnings).toBe(4);
    expect(await readdir(join(dir, 'records'))).not.toContain(`${a.target}.json.tmp-1-1`);
    await again.delete(a.target);
    expect((await again.loadAll()).records).toHaveLength(0);
  });
});

describe('headless Node peers with records', () => {
  it('put and get between peers; records and seqs survive a SIGTERM restart', async () => {
    await rig.start();
    const dataA = await rig.tempDir('peer-rec-a-');
    const dataB = await rig.tempDir('peer-rec-b-');

    const a = rig.cli(['--data', dataA]);
    const idLine = await a.waitLine('node id');
    await a.waitLine('joined');
    const pkA = idLine.publicKey as string;
    expect(pkA).toMatch(/^[0-9a-f]{64}$/);

    const b = await rig.peer(dataB);
    expect(await joinedWithContacts(b)).toBeGreaterThanOrEqual(1);
    const put = await b.node.put('profile', 'hello from b');
    expect(put.replicas).toBe(1); // A is the only other node
    const first = await b.node.get(b.node.publicKey, 'profile');
    expect(first).toMatchObject({ value: 'hello from b', seq: put.seq, replicas: 1 });
    const stats = b.node.stats();
    expect(stats.signaling.routes.server + stats.signaling.routes.overlay).toBeGreaterThan(0);
    expect(stats.transport.lifetimeConnections).toBeGreaterThanOrEqual(1);

    // B restarts (in-process): its own record is loaded from its files, the seq keeps growing.
    await b.close();
    rig.forget(b);
    const b2 = await rig.peer(dataB);
    expect(b2.id).toBe(b.id);
    expect(b2.node.table.counters.loaded).toBeGreaterThanOrEqual(1);
    await b2.joined;
    const next = await b2.node.put('profile', 'again');
    expect(next.seq).toBeGreaterThan(put.seq);

    // A (the CLI) stops on SIGTERM and comes back with B's replica from its files.
    a.p.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    const a2 = rig.cli(['--data', dataA]);
    const again = await a2.waitLine('node id');
    expect(again.id).toBe(idLine.id);
    expect(again.records).toBeGreaterThanOrEqual(1);
    await a2.waitLine('joined');
    const got = await b2.node.get(b2.node.publicKey, 'profile');
    expect(got).toMatchObject({ value: 'again', seq: next.seq });
    a2.p.kill('SIGTERM');
    expect(await a2.exited).toBe(0);
  }, 60_000);
});
