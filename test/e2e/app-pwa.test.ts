/**
 * The app as an installable web app: the manifest and its icons are served, the service worker
 * takes control, and with the network gone the app shell still opens and the contacts and the
 * history stay readable, with a banner saying the network cannot be reached. Run inside
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
  openApp,
  sendMessage,
  shareAddress,
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

describe('installable, and the shell opens offline', () => {
  it('serves a manifest with icons; the service worker keeps the shell; offline the contacts and history stay readable', async () => {
    const alice = await openApp(browser!, signal!.url);
    const manifestHref = await alice.page.locator('link[rel="manifest"]').getAttribute('href');
    const manifest = (await (await alice.page.request.get(`${signal!.url}${manifestHref}`)).json()) as {
      icons: Array<{ src: string; sizes: string }>;
      display: string;
    };
    expect(manifest.display).toBe('standalone');
    expect(manifest.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of manifest.icons) expect((await alice.page.request.get(`${signal!.url}${icon.src}`)).status()).toBe(200);

    await createIdentity(alice.page, 'Alice');
    const link = await shareAddress(alice.page);
    const bob = await openApp(browser!, signal!.url);
    await createIdentity(bob.page, 'Bob');
    await addContact(bob.page, link);
    await backToChats(alice.page);
    await acceptRequest(alice.page, 'Bob');
    await contactRow(alice.page, 'Bob').click();
    await sendMessage(alice.page, 'Bob', 'Written before going offline');
    await backToChats(alice.page);

    await alice.page.waitForFunction(() => navigator.serviceWorker.ready.then(() => true));
    await alice.page.reload();
    await alice.page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await chatsHeading(alice.page).waitFor();

    await alice.ctx.setOffline(true);
    await alice.page.reload();
    await chatsHeading(alice.page).waitFor();
    await contactRow(alice.page, 'Bob').waitFor();
    await alice.page.getByRole('status').filter({ hasText: 'The network cannot be reached right now' }).waitFor({ timeout: 30_000 });
    // The history is read from this device: the conversation opens offline.
    await contactRow(alice.page, 'Bob').click();
    await bubble(alice.page, 'Written before going offline').waitFor({ timeout: 30_000 });
    expect(alice.errors).toEqual([]);
  }, 240_000);
});
