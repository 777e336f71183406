/**
 * Two people in real Chromium (separate contexts, separate IndexedDB) add each other through the
 * address link over the real signal server and see each other online; a third profile that
 * stores their records holds no trace of either identity key in its IndexedDB. Driven through
 * `window.p2p.chat`. Run inside ../shared/tools/loopback-only.
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../shared/crypto/bytes';
import type { SignalServer } from '../../signal-server/server';
import { launchChromium } from '../helpers/browser';
import { buildApp, openTab, startSignal, waitUntil, type BuiltApp, type Tab } from '../helpers/p2p-pages';

let app: BuiltApp | undefined;
let signal: SignalServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  browser = await launchChromium();
  app = await buildApp();
  signal = await startSignal(app.dir);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await signal?.close();
  await app?.cleanup();
});

/** Every IndexedDB database of the page's origin, every value, as one JSON text (bytes as hex). */
async function dumpIndexedDb(t: Tab): Promise<string> {
  return t.page.evaluate(async () => {
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    const dbs = await indexedDB.databases();
    const out: unknown[] = [];
    for (const info of dbs) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open(info.name!);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const rows = await new Promise<unknown[]>((res, rej) => {
          const r = db.transaction(store, 'readonly').objectStore(store).getAll();
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
        out.push({ db: info.name, store, rows });
      }
      db.close();
    }
    return JSON.stringify(out, (_k, v) => (v instanceof Uint8Array ? hex(v) : v));
  });
}

describe('chat contacts in Chromium', () => {
  it('two profiles add each other by link and see each other online; a third stores no trace of their keys', {
    timeout: 180_000,
  }, async () => {
    const origin = signal!.url;
    const [alice, bob, carol] = [await openTab(browser!, origin), await openTab(browser!, origin), await openTab(browser!, origin)];
    await Promise.all([alice, bob, carol].map((t) => t.page.evaluate(() => window.p2p!.chat.ready())));
    await alice.page.evaluate(() => window.p2p!.chat.setName('Alice'));
    const me = await alice.page.evaluate(() => window.p2p!.chat.me());
    expect(me.address.startsWith(`${origin}/#add/v1.`)).toBe(true);

    const { contactId } = await bob.page.evaluate((link) => window.p2p!.chat.addContact(link, { message: 'hi, Bob here' }), me.address);
    expect(contactId).toBe(me.identityKey);
    const bobId = await bob.page.evaluate(() => window.p2p!.chat.me().identityKey);
    const reqs = await waitUntil(
      () => alice.page.evaluate(() => window.p2p!.chat.requests()),
      (r) => r.length === 1,
      60_000,
      'the request',
    );
    expect(reqs[0]).toMatchObject({ contactId: bobId, message: 'hi, Bob here' });
    await alice.page.evaluate((id) => window.p2p!.chat.accept(id), bobId);

    const online = (t: Tab, id: string) => t.page.evaluate((i) => window.p2p!.chat.contacts().find((c) => c.contactId === i), id);
    const a = await waitUntil(
      () => online(alice, bobId),
      (c) => c?.state === 'accepted' && c.online === true,
      90_000,
      'Bob online for Alice',
    );
    const b = await waitUntil(
      () => online(bob, me.identityKey),
      (c) => c?.state === 'accepted' && c.online === true,
      90_000,
      'Alice online for Bob',
    );
    expect(a!.safetyNumber).toBe(b!.safetyNumber);

    // Carol's node holds replicas of their records (three nodes: every node is among the closest).
    const dump = await dumpIndexedDb(carol);
    expect(dump.length).toBeGreaterThan(1000);
    for (const ik of [me.identityKey, bobId]) {
      const raw = hexToBytes(ik);
      for (const form of [ik, bytesToHex(sha1(raw)), bytesToHex(sha256(raw)), btoa(String.fromCharCode(...raw)).slice(0, 40)])
        expect(dump).not.toContain(form);
    }
    // Control: the same search finds Alice's key where it belongs, in her contact Bob's store.
    expect(await dumpIndexedDb(bob)).toContain(me.identityKey);
  });
});
