/**
 * The chat app as two people use it, in real Chromium (separate profiles) over the real signal
 * server, driven only through the UI by roles and labels: both create identities, Alice shares her
 * address, Bob adds her, she accepts, both see each other online,
 * they write both ways (Enter, Shift+Enter) and see the ticks reach delivered and read, the unread
 * count and preview in the list, "typing…", the history after a reload; Bob's backup brings back
 * his identity, contact and history after "delete everything", and he replies to an old message
 * (Alice sees the quote), edits it, then deletes it for both; the safety numbers match and
 * both mark each other verified, rename, remove; a third person opens Alice's link in the app.
 * The steps share the two profiles and run in order. Run inside ../shared/tools/loopback-only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalServer } from '../../signal-server/server';
import { launchChromium } from '../helpers/browser';
import { buildApp, startSignal, type BuiltApp } from '../helpers/p2p-pages';
import {
  acceptRequest,
  addContact,
  backToChats,
  bubble,
  chatsHeading,
  contactRow,
  createIdentity,
  goTo,
  messageBox,
  openApp,
  openDetails,
  readSafetyNumber,
  sendMessage,
  shareAddress,
  waitOnline,
  waitTick,
  type AppTab,
} from '../helpers/app-ui';

let app: BuiltApp | undefined;
let signal: SignalServer | undefined;
let browser: Browser | undefined;
let alice: AppTab;
let bob: AppTab;
let aliceLink = '';
let tmp = '';

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'app-chat-'));
  browser = await launchChromium();
  app = await buildApp();
  signal = await startSignal(app.dir);
}, 120_000);

afterAll(async () => {
  for (const t of [alice, bob]) if (t) expect(t.errors).toEqual([]);
  await browser?.close();
  await signal?.close();
  await app?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Each step needs the ones before it. */
function setupOk(): void {
  if (!browser || !signal) throw new Error('setup failed');
}

describe('two people in the chat app', () => {
  it('both create an identity on the first run', async () => {
    setupOk();
    alice = await openApp(browser!, signal!.url);
    bob = await openApp(browser!, signal!.url);
    await createIdentity(alice.page, 'Alice');
    await createIdentity(bob.page, 'Bob');
    await alice.page.getByText('No contacts yet.').waitFor();
  }, 60_000);

  it('Alice shares her address; Bob adds her with a first message', async () => {
    setupOk();
    aliceLink = await shareAddress(alice.page);
    expect(aliceLink.startsWith(`${signal!.url}/#add/v1.`)).toBe(true);
    await addContact(bob.page, aliceLink, 'Hi Alice, it is Bob');
    await contactRow(bob.page, 'Alice', 'waiting for them to accept').waitFor();
  }, 60_000);

  it('Alice sees the request with its message and accepts', async () => {
    setupOk();
    await backToChats(alice.page);
    await alice.page.getByText('“Hi Alice, it is Bob”').waitFor({ timeout: 90_000 });
    await acceptRequest(alice.page, 'Bob');
  }, 120_000);

  it('both see each other online', async () => {
    setupOk();
    await waitOnline(alice.page, 'Bob');
    await waitOnline(bob.page, 'Alice');
  }, 200_000);

  it('Bob writes to Alice: she sees it in her list, unread; his tick says delivered, then read when she opens it', async () => {
    setupOk();
    await contactRow(bob.page, 'Alice').click();
    await sendMessage(bob.page, 'Alice', 'Hello Alice, this is Bob');
    await waitTick(bob.page, 'Hello Alice, this is Bob', 'Delivered');
    await alice.page.getByRole('link', { name: /^Bob, Hello Alice, this is Bob, [^,]+, 1 unread, (online|offline)$/ }).waitFor();
    await expect.poll(() => alice.page.title()).toBe('(1) p2p chat');
    await contactRow(alice.page, 'Bob').click();
    await bubble(alice.page, 'Hello Alice, this is Bob').waitFor();
    await expect.poll(() => alice.page.title()).toBe('p2p chat');
    await waitTick(bob.page, 'Hello Alice, this is Bob', 'Read');
  }, 120_000);

  it('Alice answers on two lines (Shift+Enter, then Enter); Bob sees it arrive, and she sees it read', async () => {
    setupOk();
    await sendMessage(alice.page, 'Bob', 'Hi Bob!\nGood to hear from you.');
    await bubble(bob.page, 'Good to hear from you.').waitFor({ timeout: 90_000 });
    await waitTick(alice.page, 'Hi Bob!', 'Read');
    // Bob's conversation stayed open and visible, so nothing is unread for him.
    await expect.poll(() => bob.page.title()).toBe('p2p chat');
  }, 120_000);

  it('Bob sees "typing…" while Alice writes, and her message replaces it', async () => {
    setupOk();
    const typing = bob.page.getByText('typing…');
    const box = messageBox(alice.page, 'Bob');
    await box.click();
    // A typing notice goes at most every 3 s and is never retried: keep typing until one arrives.
    let seen = false;
    for (let i = 0; i < 20 && !seen; i++) {
      await alice.page.keyboard.type('.');
      seen = await typing.waitFor({ timeout: 3_500 }).then(
        () => true,
        () => false,
      );
    }
    expect(seen).toBe(true);
    await box.fill('');
    await sendMessage(alice.page, 'Bob', 'Dinner on Friday?');
    await bubble(bob.page, 'Dinner on Friday?').waitFor({ timeout: 90_000 });
    await expect.poll(() => typing.count()).toBe(0);
  }, 120_000);

  it('both reload, and the conversation is still there with its ticks', async () => {
    setupOk();
    for (const [t, them] of [
      [alice, 'Bob'],
      [bob, 'Alice'],
    ] as const) {
      await t.page.reload();
      await messageBox(t.page, them).waitFor();
      for (const text of ['Hello Alice, this is Bob', 'Good to hear from you.', 'Dinner on Friday?']) await bubble(t.page, text).waitFor();
    }
    await waitTick(bob.page, 'Hello Alice, this is Bob', 'Read', 30_000);
    await waitTick(alice.page, 'Hi Bob!', 'Read', 30_000);
  }, 200_000);

  it('Bob saves a backup, deletes everything, restores it, and has the same identity, contact and history', async () => {
    setupOk();
    await backToChats(bob.page);
    await openDetails(bob.page, 'Alice');
    const safetyBefore = await readSafetyNumber(bob.page, 'Alice');
    await backToChats(bob.page);
    const linkBefore = await shareAddress(bob.page);
    await backToChats(bob.page);
    await goTo(bob.page, 'Settings', 'Settings');
    await bob.page.getByLabel('Passphrase for the backup').fill('correct horse battery');
    await bob.page.getByLabel('Passphrase again').fill('correct horse battery');
    const [download] = await Promise.all([
      bob.page.waitForEvent('download'),
      bob.page.getByRole('button', { name: 'Save a backup file' }).click(),
    ]);
    const file = join(tmp, 'bob.p2pchat');
    await download.saveAs(file);
    await bob.page.getByRole('status').filter({ hasText: 'Backup saved' }).waitFor();

    await bob.page.getByRole('button', { name: 'Delete everything on this device…' }).click();
    await Promise.all([bob.page.waitForEvent('load'), bob.page.getByRole('button', { name: 'Delete everything', exact: true }).click()]);
    await bob.page.getByLabel('Your name').waitFor();

    await bob.page.getByRole('button', { name: 'Restore from a backup' }).click();
    await bob.page.getByLabel('Backup file').setInputFiles(file);
    await bob.page.getByLabel('Passphrase').fill('correct horse battery');
    await Promise.all([bob.page.waitForEvent('load'), bob.page.getByRole('button', { name: 'Restore', exact: true }).click()]);
    await chatsHeading(bob.page).waitFor();
    await contactRow(bob.page, 'Alice').click();
    for (const text of ['Hello Alice, this is Bob', 'Good to hear from you.', 'Dinner on Friday?']) await bubble(bob.page, text).waitFor();
    await backToChats(bob.page);
    expect(await shareAddress(bob.page)).toBe(linkBefore);
    await backToChats(bob.page);
    await openDetails(bob.page, 'Alice');
    expect(await readSafetyNumber(bob.page, 'Alice')).toBe(safetyBefore);

    // The restored Bob still talks with Alice (a new session: sessions are not in backups).
    await bob.page.getByRole('link', { name: 'Back to the chat with Alice' }).click();
    await sendMessage(bob.page, 'Alice', 'Back from a backup');
    await bubble(alice.page, 'Back from a backup').waitFor({ timeout: 120_000 });
    await waitTick(bob.page, 'Back from a backup', 'Read', 90_000, [alice.page]);
  }, 300_000);

  it('Bob replies to "Dinner on Friday?" from his restored history; Alice sees the answer with its quote', async () => {
    setupOk();
    await bubble(bob.page, 'Dinner on Friday?').getByRole('button', { name: 'Reply' }).click();
    await sendMessage(bob.page, 'Alice', 'Friday works for me');
    const answer = bubble(alice.page, 'Friday works for me');
    await answer.waitFor({ timeout: 90_000 });
    await answer.getByText('In reply to').waitFor({ state: 'attached' });
    expect(await answer.getByText('Dinner on Friday?').count()).toBe(1);
    expect(await answer.getByText('You', { exact: true }).count()).toBe(1);
  }, 120_000);

  it('Bob edits his answer, then deletes it for both; Alice sees each change in place', async () => {
    setupOk();
    const mine = bubble(bob.page, 'Friday works for me');
    await mine.getByRole('button', { name: 'More actions' }).click();
    await mine.getByRole('button', { name: 'Edit' }).click();
    await messageBox(bob.page, 'Alice').fill('Friday works, 8 pm?');
    await bob.page.keyboard.press('Enter');
    const edited = bubble(alice.page, 'Friday works, 8 pm?');
    await edited.getByText('edited').waitFor({ timeout: 90_000 });
    expect(await bubble(alice.page, 'Friday works for me').count()).toBe(0);
    await edited.getByText('In reply to').waitFor({ state: 'attached' });
    const again = bubble(bob.page, 'Friday works, 8 pm?');
    await again.getByRole('button', { name: 'More actions' }).click();
    await again.getByRole('button', { name: 'Delete' }).click();
    await bob.page.getByRole('button', { name: 'Delete', exact: true }).click();
    await bubble(bob.page, 'You deleted this message').waitFor();
    await bubble(alice.page, 'This message was deleted').waitFor({ timeout: 90_000 });
    expect(await bubble(alice.page, 'Friday works, 8 pm?').count()).toBe(0);
  }, 120_000);

  it('the safety numbers match; both mark each other verified', async () => {
    setupOk();
    await backToChats(alice.page);
    await openDetails(alice.page, 'Bob');
    await openDetails(bob.page, 'Alice');
    const a = await readSafetyNumber(alice.page, 'Bob');
    const b = await readSafetyNumber(bob.page, 'Alice');
    expect(a).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(a).toBe(b);
    for (const t of [alice, bob]) {
      await t.page.getByRole('button', { name: 'Mark as verified' }).click();
      await t.page.getByText('Verified', { exact: true }).waitFor();
    }
  }, 60_000);

  it('Alice renames Bob, and the list shows the new name', async () => {
    setupOk();
    await alice.page.getByLabel('Name for this contact').fill('Bobby');
    await alice.page.getByRole('button', { name: 'Rename' }).click();
    await alice.page.getByRole('heading', { name: 'Bobby', exact: true }).waitFor();
    await contactRow(alice.page, 'Bobby').waitFor();
  }, 30_000);

  it('a third person opens Alice’s link in the app and is asked before the request goes', async () => {
    setupOk();
    const carol = await openApp(browser!, signal!.url, { path: new URL(aliceLink).hash ? `/${new URL(aliceLink).hash}` : '/' });
    await createIdentity(carol.page, 'Carol');
    const dialog = carol.page.getByRole('dialog', { name: 'Add Alice?' });
    await dialog.waitFor();
    await carol.page.getByRole('button', { name: 'Send request' }).click();
    await contactRow(carol.page, 'Alice', 'waiting for them to accept').waitFor();
    await alice.page.getByRole('button', { name: 'Decline Carol' }).waitFor({ timeout: 90_000 });
    await alice.page.getByRole('button', { name: 'Decline Carol' }).click();
    await expect.poll(() => alice.page.getByRole('button', { name: 'Decline Carol' }).count()).toBe(0);
    expect(carol.errors).toEqual([]);
    await carol.ctx.close();
  }, 150_000);

  it('Alice removes Bob after confirming', async () => {
    setupOk();
    await contactRow(alice.page, 'Bobby').click();
    await alice.page.getByRole('link', { name: 'Details' }).click();
    await alice.page.getByRole('button', { name: 'Remove Bobby…' }).click();
    await alice.page.getByRole('dialog', { name: 'Remove Bobby?' }).waitFor();
    await alice.page.getByRole('button', { name: 'Remove', exact: true }).click();
    await chatsHeading(alice.page).waitFor();
    await expect.poll(() => contactRow(alice.page, 'Bobby').count()).toBe(0);
    await alice.page.getByText('No contacts yet.').waitFor();
  }, 30_000);
});
