/**
 * Two people chat in real Chromium over the real signal server, driven through `window.p2p.chat`:
 * both ways; Alice reloads mid-conversation (a message still unsent when she reloads goes out
 * after); the signaling server is killed and the chat goes on over the open links; Bob's browser
 * (a persistent profile) is shut while Alice writes, and her messages arrive when he starts it
 * again, with an edit she made meanwhile. Every message arrives exactly once, in the order sent. A third profile is only a DHT
 * node (it may hold mailbox records). Run inside ../shared/tools/loopback-only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalServer } from '../../signal-server/server';
import { launchChromium, launchPersistentChromium } from '../helpers/browser';
import { buildApp, openTab, startSignal, waitForNode, waitUntil, type BuiltApp } from '../helpers/p2p-pages';

let app: BuiltApp | undefined;
let signal: SignalServer | undefined;
let browser: Browser | undefined;
let bobCtx: BrowserContext | undefined;
let bobDir = '';

beforeAll(async () => {
  browser = await launchChromium();
  app = await buildApp();
  signal = await startSignal(app.dir);
  bobDir = await mkdtemp(join(tmpdir(), 'p2p-bob-'));
}, 120_000);

afterAll(async () => {
  await bobCtx?.close();
  await browser?.close();
  await signal?.close();
  await app?.cleanup();
  if (bobDir) await rm(bobDir, { recursive: true, force: true });
});

const send = (p: Page, to: string, text: string) =>
  p.evaluate(([id, t]) => window.p2p!.chat.send(id!, t!).then((r) => r.messageId), [to, text] as const);
const history = (p: Page, of: string) =>
  p.evaluate(
    (id) =>
      window
        .p2p!.chat.messages(id, { limit: 500 })
        .then((l) => l.map((m) => ({ id: m.messageId, from: m.from, text: m.text, state: m.state }))),
    of,
  );
const theirs = async (p: Page, of: string) => (await history(p, of)).filter((m) => m.from === 'them').map((m) => m.text);
const sessionReady = (p: Page, of: string) => p.evaluate((id) => window.p2p!.chat.sessionState(id), of);

/** Wait until `p`'s history with `of` holds `texts` from them (as a prefix of what arrived). */
async function waitForTexts(p: Page, of: string, texts: string[], what: string): Promise<void> {
  await waitUntil(
    () => theirs(p, of),
    (got) => texts.every((t) => got.includes(t)),
    90_000,
    what,
    100,
  );
}

async function openBob(origin: string): Promise<Page> {
  bobCtx = await launchPersistentChromium(bobDir);
  const page = bobCtx.pages()[0] ?? (await bobCtx.newPage());
  await page.goto(`${origin}/`);
  await waitForNode(page, 30_000);
  await page.evaluate(() => window.p2p!.chat.ready());
  return page;
}

describe('chat messages in Chromium', () => {
  it('both ways, through a reload, a dead signaling server and a closed browser: each message once, in order', {
    timeout: 420_000,
  }, async () => {
    const origin = signal!.url;
    let t0 = Date.now();
    const phase = (name: string) => {
      console.info(`[chat-messages] ${name}: ${Date.now() - t0} ms`);
      t0 = Date.now();
    };
    const port = Number(new URL(origin).port);
    const [alice, carol] = [await openTab(browser!, origin), await openTab(browser!, origin)];
    let bob = await openBob(origin);
    await Promise.all([alice, carol].map((t) => t.page.evaluate(() => window.p2p!.chat.ready())));
    const aliceMe = await alice.page.evaluate(() => window.p2p!.chat.me());
    const bobId = await bob.evaluate(() => window.p2p!.chat.me().identityKey);
    const aliceId = aliceMe.identityKey;

    phase('open three profiles');
    await bob.evaluate((link) => window.p2p!.chat.addContact(link), aliceMe.address);
    phase('addContact');
    await waitUntil(
      () => alice.page.evaluate(() => window.p2p!.chat.requests()),
      (r) => r.length === 1,
      60_000,
      'the request',
    );
    phase('request arrives');
    await alice.page.evaluate((id) => window.p2p!.chat.accept(id), bobId);
    phase('accept');
    await waitUntil(
      () => Promise.all([sessionReady(alice.page, bobId), sessionReady(bob, aliceId)]),
      (s) => s[0] === 'ready' && s[1] === 'ready',
      60_000,
      'sessions',
    );

    phase('sessions ready');
    // Both ways, interleaved.
    const fromAlice: string[] = [];
    const fromBob: string[] = [];
    for (let i = 1; i <= 5; i++) {
      fromAlice.push(`a${i}`);
      await send(alice.page, bobId, `a${i}`);
      fromBob.push(`b${i}`);
      await send(bob, aliceId, `b${i}`);
    }
    await waitForTexts(bob, aliceId, fromAlice, 'a1..a5 at Bob');
    await waitForTexts(alice.page, bobId, fromBob, 'b1..b5 at Alice');
    // Delivery receipts reach the sender: every message of Alice's is delivered (or read).
    await waitUntil(
      () => history(alice.page, bobId),
      (h) => h.filter((m) => m.from === 'me').every((m) => m.state === 'delivered' || m.state === 'read'),
      60_000,
      'delivered ticks at Alice',
    );

    phase('both ways');
    // Alice reloads right after sending: the message is in her outbox and goes out after the reload.
    fromAlice.push('a6 (sent just before a reload)');
    await send(alice.page, bobId, fromAlice.at(-1)!);
    await alice.page.reload();
    await waitForNode(alice.page, 30_000);
    fromBob.push('b6 (sent while Alice reloads)');
    await send(bob, aliceId, fromBob.at(-1)!);
    await waitForTexts(bob, aliceId, fromAlice, 'a6 at Bob after the reload');
    await waitForTexts(alice.page, bobId, fromBob, 'b6 at Alice after the reload');
    // History survived the reload.
    expect((await history(alice.page, bobId)).length).toBeGreaterThanOrEqual(12);
    // One message by id (what a reply quotes), through the page's API on both sides.
    const a1 = (await history(alice.page, bobId)).find((m) => m.text === 'a1')!.id;
    const byId = (p: Page, contact: string, id: string) => p.evaluate(([c, m]) => window.p2p!.chat.message(c!, m!), [contact, id] as const);
    expect(await byId(alice.page, bobId, a1)).toMatchObject({ messageId: a1, from: 'me', text: 'a1' });
    expect(await byId(bob, aliceId, a1)).toMatchObject({ messageId: a1, from: 'them', text: 'a1' });
    expect(await byId(bob, aliceId, 'f'.repeat(32))).toBeNull();

    phase('reload');
    // The signaling server dies; the chat goes on over the open links.
    await signal!.close();
    fromAlice.push('a7 (no signaling server)');
    await send(alice.page, bobId, fromAlice.at(-1)!);
    fromBob.push('b7 (no signaling server)');
    await send(bob, aliceId, fromBob.at(-1)!);
    await waitForTexts(bob, aliceId, fromAlice, 'a7 at Bob without the server');
    await waitForTexts(alice.page, bobId, fromBob, 'b7 at Alice without the server');

    phase('no server');
    // Bob's browser shuts; Alice writes; the server comes back; Bob starts his browser again.
    signal = await startSignal(app!.dir, port);
    await bobCtx!.close();
    bobCtx = undefined;
    for (const t of ['a8 (Bob away)', 'a9 (Bob away)']) {
      fromAlice.push(t);
      await send(alice.page, bobId, t);
    }
    // And edits her first message: the edit goes through the mailbox too, and changes it in place.
    await alice.page.evaluate(([c, m]) => window.p2p!.chat.edit(c!, m!, 'a1 (edited while Bob was away)'), [bobId, a1] as const);
    fromAlice[0] = 'a1 (edited while Bob was away)';
    bob = await openBob(origin);
    await waitForTexts(bob, aliceId, fromAlice, 'a8, a9 at Bob after he comes back');
    await waitUntil(
      () => history(alice.page, bobId),
      (h) => h.filter((m) => m.from === 'me').every((m) => m.state === 'delivered' || m.state === 'read'),
      60_000,
      'every message of Alice delivered',
    );

    phase('Bob away and back');
    // Exactly once, in order, both ways.
    expect(await theirs(bob, aliceId)).toEqual(fromAlice);
    expect(await theirs(alice.page, bobId)).toEqual(fromBob);
    const ids = (await history(bob, aliceId)).map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(alice.errors).toEqual([]);
  });
});
