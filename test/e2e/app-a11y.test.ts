/**
 * Every view of the real app, with real content (Alice and Bob are contacts, Carol's request
 * waits), checked by axe-core for WCAG 2.1 A and AA violations, at 1280×800 and at 360×740, in
 * light and in dark; the layout holds at both sizes (no sideways scrolling; side by side on the
 * desktop, one pane at a time on the phone). Driven through the UI. Run inside
 * ../shared/tools/loopback-only.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalServer } from '../../signal-server/server';
import { launchChromium } from '../helpers/browser';
import { buildApp, startSignal, type BuiltApp } from '../helpers/p2p-pages';
import {
  DESKTOP,
  PHONE,
  acceptRequest,
  addContact,
  axeViolations,
  backToChats,
  chatsHeading,
  contactRow,
  createIdentity,
  goTo,
  newProfile,
  openApp,
  sendMessage,
  sidewaysOverflow,
  shareAddress,
  waitTick,
  type AppTab,
} from '../helpers/app-ui';

let app: BuiltApp | undefined;
let signal: SignalServer | undefined;
let browser: Browser | undefined;
let alice: AppTab;

beforeAll(async () => {
  browser = await launchChromium();
  app = await buildApp();
  signal = await startSignal(app.dir);
  alice = await openApp(browser, signal.url);
  await createIdentity(alice.page, 'Alice');
  const link = await shareAddress(alice.page);
  for (const [name, accept] of [
    ['Bob', true],
    ['Carol', false],
  ] as const) {
    const t = await openApp(browser, signal.url);
    await createIdentity(t.page, name);
    await addContact(t.page, link, `Hi, ${name} here`);
    await backToChats(alice.page);
    if (accept) await acceptRequest(alice.page, name);
    else await alice.page.getByRole('button', { name: `Accept ${name}` }).waitFor({ timeout: 90_000 });
  }
}, 240_000);

afterAll(async () => {
  if (alice) expect(alice.errors).toEqual([]);
  await browser?.close();
  await signal?.close();
  await app?.cleanup();
});

/** Each view as a person reaches it from the list, with what must be on screen. */
const VIEWS: Array<{ name: string; open(p: Page): Promise<void> }> = [
  { name: 'contacts with a request', open: async (p) => backToChats(p) },
  {
    name: 'conversation',
    open: async (p) => {
      await contactRow(p, 'Bob').click();
      // A bubble with its tick and a day separator on screen for axe to check.
      await sendMessage(p, 'Bob', 'Hello Bob, welcome');
      await waitTick(p, 'Hello Bob, welcome', /^(Sent|Delivered|Read)$/);
    },
  },
  {
    name: 'contact details',
    open: async (p) => {
      await p.getByRole('link', { name: 'Details' }).click();
      await p.getByRole('img', { name: 'QR code of the safety number with Bob' }).and(p.locator('img')).waitFor();
    },
  },
  {
    name: 'remove dialog',
    open: async (p) => {
      await p.getByRole('button', { name: 'Remove Bob…' }).click();
      await p.getByRole('dialog', { name: 'Remove Bob?' }).waitFor();
    },
  },
  {
    name: 'add contact',
    open: async (p) => {
      await p.keyboard.press('Escape');
      await backToChats(p);
      await goTo(p, 'Add contact', 'Add a contact');
      await p.getByLabel('Their address link').fill('not a link');
      await p.getByText('That is not a chat address link.').waitFor();
    },
  },
  {
    name: 'share my address',
    open: async (p) => {
      await backToChats(p);
      await goTo(p, 'Share my address', 'Share my address');
      await p.getByRole('img', { name: 'QR code of your address link' }).and(p.locator('img')).waitFor();
    },
  },
  {
    name: 'new address dialog',
    open: async (p) => {
      await p.getByRole('button', { name: 'Make a new address…' }).click();
      await p.getByRole('dialog', { name: 'Make a new address?' }).waitFor();
    },
  },
  {
    name: 'network',
    open: async (p) => {
      await p.keyboard.press('Escape');
      await backToChats(p);
      await goTo(p, 'Network', 'Network');
      await p.getByRole('img', { name: /Your node at the top of the id ring/ }).waitFor();
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
    name: 'delete everything dialog',
    open: async (p) => {
      await p.getByRole('button', { name: 'Delete everything on this device…' }).click();
      await p.getByRole('dialog', { name: 'Delete everything on this device?' }).waitFor();
    },
  },
];

async function checkEveryView(p: Page, size: { width: number; height: number }): Promise<Record<string, unknown>> {
  const found: Record<string, unknown> = {};
  for (const v of VIEWS) {
    await v.open(p);
    const violations = await axeViolations(p);
    if (violations.length > 0) found[v.name] = violations;
    const over = await sidewaysOverflow(p);
    if (over.length > 0) found[`${v.name}: sideways overflow at ${size.width}`] = over;
  }
  await p.keyboard.press('Escape');
  await backToChats(p);
  return found;
}

describe('accessibility and layout of every view', () => {
  it('desktop 1280×800, light: no axe violations; list and pane side by side', async () => {
    const p = alice.page;
    await p.setViewportSize(DESKTOP);
    await p.emulateMedia({ colorScheme: 'light' });
    expect(await checkEveryView(p, DESKTOP)).toEqual({});
    await contactRow(p, 'Bob').click();
    await p.getByRole('textbox', { name: 'Message to Bob' }).waitFor();
    expect(await chatsHeading(p).isVisible()).toBe(true);
  }, 180_000);

  it('phone 360×740, dark: no axe violations; one pane at a time', async () => {
    const p = alice.page;
    await p.setViewportSize(PHONE);
    await p.emulateMedia({ colorScheme: 'dark' });
    expect(await checkEveryView(p, PHONE)).toEqual({});
    await contactRow(p, 'Bob').click();
    await p.getByRole('textbox', { name: 'Message to Bob' }).waitFor();
    expect(await chatsHeading(p).isVisible()).toBe(false);
    await p.getByRole('link', { name: 'Back to chats' }).click();
    await chatsHeading(p).waitFor();
  }, 180_000);

  it('the first run, at both sizes and in both schemes', async () => {
    for (const [size, scheme] of [
      [DESKTOP, 'dark'],
      [PHONE, 'light'],
    ] as const) {
      const ctx = await newProfile(browser!, { viewport: size, colorScheme: scheme });
      const t = await openApp(browser!, signal!.url, { ctx });
      await t.page.getByLabel('Your name').waitFor();
      await t.page
        .getByText(/Joined/)
        .first()
        .waitFor({ timeout: 30_000 });
      expect(await axeViolations(t.page)).toEqual([]);
      expect(await sidewaysOverflow(t.page)).toEqual([]);
      await t.page.getByRole('button', { name: 'Restore from a backup' }).click();
      await t.page.getByLabel('Backup file').waitFor();
      expect(await axeViolations(t.page)).toEqual([]);
      expect(t.errors).toEqual([]);
      await ctx.close();
    }
  }, 120_000);
});
