/**
 * Screenshots of the real app for the README: the production build, the real signal server, real
 * Chromium profiles on loopback (Alice, with Bob and Dave as contacts and Carol's request
 * waiting, among a few other nodes), driven through the UI: Alice and Bob have a conversation
 * (read ticks, a reply, an edited message), Dave's message waits unread. Writes
 * docs/screenshots/<view>-<phone|desktop>-<light|dark>.png for the first run, the chat list (on a
 * desktop with the conversation beside it; on a phone the conversation has its own), contact
 * details, add contact, share address, the network view and settings (its top, and the mail keeper).
 *   npm run screenshots   (wraps this in ../shared/tools/loopback-only)
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { buildApp, openTab, startSignal } from '../helpers/p2p-pages';
import {
  DESKTOP,
  PHONE,
  acceptRequest,
  addContact,
  backToChats,
  bubble,
  contactRow,
  createIdentity,
  goTo,
  newProfile,
  openApp,
  sendMessage,
  shareAddress,
  waitOnline,
  waitTick,
  type AppTab,
} from '../helpers/app-ui';

const OUT = resolve(import.meta.dirname, '../../docs/screenshots');
const MODES = [
  { size: 'phone', viewport: PHONE },
  { size: 'desktop', viewport: DESKTOP },
] as const;
const SCHEMES = ['light', 'dark'] as const;

/** The views, each reached from the list as a person would. */
const VIEWS: Array<{ name: string; phoneOnly?: boolean; open(p: Page, phone: boolean): Promise<void> }> = [
  {
    name: 'chats',
    open: async (p, phone) => {
      await backToChats(p);
      if (phone) return;
      await contactRow(p, 'Bob').click();
      await p.getByRole('textbox', { name: 'Message to Bob' }).waitFor();
    },
  },
  {
    name: 'conversation',
    phoneOnly: true,
    open: async (p) => {
      await backToChats(p);
      await contactRow(p, 'Bob').click();
      await bubble(p, 'Hi Alice! Are we still on').getByRole('button', { name: 'Reply' }).click();
      await p.getByRole('textbox', { name: 'Message to Bob' }).fill('I will bring tea too');
    },
  },
  {
    name: 'contact-details',
    open: async (p) => {
      await backToChats(p);
      await contactRow(p, 'Bob').click();
      await p.getByRole('link', { name: 'Details' }).click();
      await p.getByRole('img', { name: 'QR code of the safety number with Bob' }).and(p.locator('img')).waitFor();
    },
  },
  {
    name: 'add-contact',
    open: async (p) => {
      await backToChats(p);
      await goTo(p, 'Add contact', 'Add a contact');
    },
  },
  {
    name: 'share-address',
    open: async (p) => {
      await backToChats(p);
      await goTo(p, 'Share my address', 'Share my address');
      await p.getByRole('img', { name: 'QR code of your address link' }).and(p.locator('img')).waitFor();
    },
  },
  {
    name: 'network',
    open: async (p) => {
      await backToChats(p);
      await goTo(p, 'Network', 'Network');
      await p.getByRole('table', { name: 'Recent lookups' }).waitFor();
    },
  },
  {
    name: 'settings',
    open: async (p) => {
      await backToChats(p);
      await goTo(p, 'Settings', 'Settings');
    },
  },
  {
    name: 'settings-keeper',
    open: async (p) => {
      await backToChats(p);
      await goTo(p, 'Settings', 'Settings');
      await p.getByText('How to set up a keeper').click();
      await p.getByRole('button', { name: 'Copy command' }).scrollIntoViewIfNeeded();
    },
  },
];

/** Bob and Alice talk (each reads the other), then Dave writes and Alice has not read it yet. */
async function converse(alice: AppTab, bob: AppTab, dave: AppTab): Promise<void> {
  const lines: Array<[AppTab, string, string]> = [
    [bob, 'Alice', 'Hi Alice! Are we still on for the hike on Saturday?'],
    [alice, 'Bob', 'Yes! Meet at the station at 9?'],
    [bob, 'Alice', 'Perfect. I will bring the map and some snacks.'],
    [alice, 'Bob', 'Great, the weather looks good.\nSee you there!'],
  ];
  await backToChats(bob.page);
  await contactRow(bob.page, 'Alice').click();
  await backToChats(alice.page);
  await contactRow(alice.page, 'Bob').click();
  for (const [from, to, text] of lines) {
    // Alice's last line answers Bob's snacks (a reply, with its quote).
    if (text.startsWith('Great')) await bubble(from.page, 'I will bring the map').getByRole('button', { name: 'Reply' }).click();
    await sendMessage(from.page, to, text);
    await waitTick(from.page, text.split('\n')[0]!, 'Read');
  }
  // Alice moves the time, through More → Edit; Bob's copy changes too.
  const meet = bubble(alice.page, 'Meet at the station at 9?');
  await meet.getByRole('button', { name: 'More actions' }).click();
  await meet.getByRole('button', { name: 'Edit' }).click();
  await alice.page.getByRole('textbox', { name: 'Message to Bob' }).fill('Yes! Meet at the station at 8:30?');
  await alice.page.keyboard.press('Enter');
  await bubble(bob.page, 'Meet at the station at 8:30?').getByText('edited').waitFor({ timeout: 90_000 });
  await backToChats(dave.page);
  await contactRow(dave.page, 'Alice').click();
  await sendMessage(dave.page, 'Alice', 'Did you get the photos from last week?');
  await waitTick(dave.page, 'Did you get the photos from last week?', 'Delivered');
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const app = await buildApp({ minify: true });
  const signal = await startSignal(app.dir);
  const browser = await launchChromium();
  const written: string[] = [];
  try {
    for (let i = 0; i < 4; i++) await openTab(browser, signal.url);
    const alice = await openApp(browser, signal.url);
    await createIdentity(alice.page, 'Alice');
    const link = await shareAddress(alice.page);
    const others = new Map<string, AppTab>();
    for (const [name, accept] of [
      ['Bob', true],
      ['Dave', true],
      ['Carol', false],
    ] as const) {
      const t = await openApp(browser, signal.url);
      others.set(name, t);
      await createIdentity(t.page, name);
      await addContact(t.page, link, name === 'Carol' ? 'Hi Alice! We met at the climbing gym.' : `Hi, ${name} here`);
      await backToChats(alice.page);
      if (accept) await acceptRequest(alice.page, name);
      else await alice.page.getByRole('button', { name: `Accept ${name}` }).waitFor({ timeout: 90_000 });
    }
    await waitOnline(alice.page, 'Bob');
    await waitOnline(alice.page, 'Dave');
    await converse(alice, others.get('Bob')!, others.get('Dave')!);
    const p = alice.page;
    for (const { size, viewport } of MODES) {
      for (const scheme of SCHEMES) {
        await p.setViewportSize(viewport);
        await p.emulateMedia({ colorScheme: scheme });
        for (const v of VIEWS) {
          if (v.phoneOnly && size !== 'phone') continue;
          await v.open(p, size === 'phone');
          const file = resolve(OUT, `${v.name}-${size}-${scheme}.png`);
          await p.screenshot({ path: file });
          written.push(file);
        }
        const ctx = await newProfile(browser, { viewport, colorScheme: scheme });
        const fresh = await openApp(browser, signal.url, { ctx });
        await fresh.page.getByText(/^Joined/).waitFor({ timeout: 30_000 });
        const file = resolve(OUT, `first-run-${size}-${scheme}.png`);
        await fresh.page.screenshot({ path: file });
        written.push(file);
        await ctx.close();
      }
    }
    if (alice.errors.length > 0) throw new Error(`page errors: ${alice.errors.join('; ')}`);
  } finally {
    await browser.close();
    await signal.close();
    await app.cleanup();
  }
  for (const f of written) console.log(f);
}

await main();
