/**
 * One node per browser profile across tabs, through the UI: a second tab of Alice's profile
 * becomes a view onto the node in the first (its network view says so), and the chat works from
 * it (share the address, accept Bob's request, see him online, in both tabs; messages both ways
 * with their ticks, seen in the node's tab too); when the first tab closes, the view takes the
 * node over within 2 s and the chat keeps working from it. Run inside
 * ../shared/tools/loopback-only.
 */
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
  openApp,
  sendMessage,
  shareAddress,
  waitTick,
  waitOnline,
  type AppTab,
} from '../helpers/app-ui';

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

const VIEW_NOTE = 'This tab shows the node that runs in another tab';

describe('one node per browser profile', () => {
  it('a second tab is a view; the chat works from it; it takes over within 2 s when the first tab closes', async () => {
    const first = await openApp(browser!, signal!.url);
    await createIdentity(first.page, 'Alice');
    const second: AppTab = await openApp(browser!, signal!.url, { ctx: first.ctx });
    await chatsHeading(second.page).waitFor();
    await goTo(second.page, 'Network', 'Network');
    await second.page.getByText(VIEW_NOTE).waitFor();
    await goTo(first.page, 'Network', 'Network');
    await first.page.getByText('Your place in the network').waitFor();
    expect(await first.page.getByText(VIEW_NOTE).count()).toBe(0);

    // From the view: share the address, accept Bob's request, see him online.
    await backToChats(second.page);
    const link = await shareAddress(second.page);
    const bob = await openApp(browser!, signal!.url);
    await createIdentity(bob.page, 'Bob');
    await addContact(bob.page, link, 'Bob here');
    await backToChats(second.page);
    await acceptRequest(second.page, 'Bob');
    await waitOnline(second.page, 'Bob');
    await backToChats(first.page);
    await waitOnline(first.page, 'Bob');
    await waitOnline(bob.page, 'Alice');

    // Messages both ways from the view; the node's tab sees them too.
    await contactRow(second.page, 'Bob').click();
    await sendMessage(second.page, 'Bob', 'Written in the second tab');
    await contactRow(bob.page, 'Alice').click();
    await bubble(bob.page, 'Written in the second tab').waitFor({ timeout: 90_000 });
    await waitTick(second.page, 'Written in the second tab', 'Read');
    await sendMessage(bob.page, 'Alice', 'Got it');
    await bubble(second.page, 'Got it').waitFor({ timeout: 90_000 });
    await first.page.getByRole('link', { name: /^Bob, Got it, [^,]+, (online|offline)$/ }).waitFor();
    await backToChats(second.page);

    // The node's tab goes away: the view runs the node. The 2 s goal is a figure (logged here, and
    // timed by bench:app); this test asserts the takeover itself with room for a loaded machine.
    await goTo(second.page, 'Network', 'Network');
    await second.page.getByText(VIEW_NOTE).waitFor();
    const closedAt = Date.now();
    await first.page.close();
    await expect.poll(() => second.page.getByText(VIEW_NOTE).count(), { timeout: 20_000, interval: 50 }).toBe(0);
    const tookOverMs = Date.now() - closedAt;
    console.log(`takeover: the view ran the node ${tookOverMs} ms after the node's tab closed`);
    await second.page.getByText('Your place in the network').waitFor();

    // The contacts still work from the tab that now runs the node.
    await backToChats(second.page);
    await waitOnline(second.page, 'Bob', 120_000);
    await contactRow(second.page, 'Bob').click();
    await sendMessage(second.page, 'Bob', 'After the takeover');
    await bubble(bob.page, 'After the takeover').waitFor({ timeout: 90_000 });
    await waitTick(second.page, 'After the takeover', 'Read');
    expect(second.errors).toEqual([]);
    expect(first.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  }, 300_000);
});
