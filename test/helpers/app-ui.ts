/**
 * Driving the real chat app in Chromium the way a person does: by roles and labels only. Each
 * step waits for what a person would wait for (a heading, a status line, a tick), never for time.
 * Must run inside ../shared/tools/loopback-only.
 */
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface AppTab {
  ctx: BrowserContext;
  page: Page;
  errors: string[];
}

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

/** A browser profile (its own IndexedDB, storage, service worker). */
export function newProfile(browser: Browser, opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}) {
  return browser.newContext({
    permissions: ['camera', 'microphone', 'clipboard-read', 'clipboard-write', 'notifications'],
    viewport: opts.viewport ?? DESKTOP,
    colorScheme: opts.colorScheme ?? 'light',
  });
}

/** Open the app (at `path`, e.g. an address link) in `ctx`, or in a new profile. */
export async function openApp(browser: Browser, origin: string, opts: { ctx?: BrowserContext; path?: string } = {}): Promise<AppTab> {
  const ctx = opts.ctx ?? (await newProfile(browser));
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}${opts.path ?? '/'}`);
  return { ctx, page, errors };
}

export const chatsHeading = (page: Page) => page.getByRole('heading', { name: 'Chats', exact: true });

/** First run: pick a name, land on the chats. */
export async function createIdentity(page: Page, name: string): Promise<void> {
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Start chatting' }).click();
  await chatsHeading(page).waitFor();
}

/** Share my address: the link as shown in its box. */
export async function shareAddress(page: Page): Promise<string> {
  await page.getByRole('link', { name: 'Share my address' }).click();
  const box = page.getByLabel('Your address link', { exact: true });
  await box.waitFor();
  return box.inputValue();
}

/** Add contact: paste the link, write a first message, send; wait until it says the request is on its way. */
export async function addContact(page: Page, link: string, message?: string): Promise<void> {
  await page.getByRole('link', { name: 'Add contact' }).click();
  await page.getByLabel('Their address link').fill(link);
  await page.getByRole('status').filter({ hasText: 'This is the address of' }).waitFor();
  if (message) await page.getByLabel('First message (optional)').fill(message);
  await page.getByRole('button', { name: 'Send request' }).click();
  await page.getByRole('status').filter({ hasText: 'Request sent to' }).waitFor();
}

/** The request from `name` arrives (it may take a while: proof of work, then delivery); accept it. */
export async function acceptRequest(page: Page, name: string, timeout = 90_000): Promise<void> {
  const accept = page.getByRole('button', { name: `Accept ${name}` });
  await accept.waitFor({ timeout });
  await accept.click();
  await contactRow(page, name).waitFor();
}

/**
 * The contact's row in the list. Its link's name is the name, then the last message, its time and
 * the unread count when there are messages, then the state ("Bob, online"; "Bob, hi, 09:12, 1 unread, online").
 */
export const contactRow = (page: Page, name: string, state?: string) =>
  page.getByRole('link', { name: new RegExp(`^${name}, (.*, )?${state ?? '(online|offline|waiting for them to accept)'}$`) });

export async function waitOnline(page: Page, name: string, timeout = 90_000): Promise<void> {
  await contactRow(page, name, 'online').waitFor({ timeout });
}

/** Open the contact's details (through the conversation's Details link). */
export async function openDetails(page: Page, name: string): Promise<void> {
  await contactRow(page, name).click();
  await page.getByRole('link', { name: 'Details' }).click();
  await page.getByRole('heading', { name: 'Safety number' }).waitFor();
}

export async function readSafetyNumber(page: Page, name: string): Promise<string> {
  const groups = await page
    .getByRole('list', { name: `Safety number with ${name}` })
    .getByRole('listitem')
    .allTextContents();
  return groups.join(' ');
}

/** The open conversation's message box. */
export const messageBox = (page: Page, name: string) => page.getByRole('textbox', { name: `Message to ${name}` });

/** One message in the open conversation (its list item, found by its text). */
export const bubble = (page: Page, text: string) =>
  page
    .getByRole('region', { name: /^Messages with / })
    .getByRole('listitem')
    .filter({ hasText: text });

/** Type `text` in the open conversation with `name` and press Enter; the box empties and the message shows. */
export async function sendMessage(page: Page, name: string, text: string): Promise<void> {
  const box = messageBox(page, name);
  await box.click();
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (i > 0) await page.keyboard.press('Shift+Enter');
    await page.keyboard.type(line);
  }
  await page.keyboard.press('Enter');
  const el = await box.elementHandle();
  await page.waitForFunction((t) => (t as HTMLTextAreaElement).value === '', el);
  await el?.dispose();
  await bubble(page, lines[0]!).first().waitFor();
}

/**
 * Wait until our (newest) message `text` shows the tick `state` ('Sent', 'Delivered', 'Read').
 * On a timeout the error says what it shows instead, with the chat counters of this page and of
 * `others` (the other side), so that a failure in CI can be read without a rerun.
 */
export async function waitTick(page: Page, text: string, state: string | RegExp, timeout = 90_000, others: Page[] = []): Promise<void> {
  const item = bubble(page, text).last();
  try {
    await item.getByRole('img', { name: state, ...(typeof state === 'string' ? { exact: true } : {}) }).waitFor({ timeout });
  } catch (e) {
    const ticks = await item
      .getByRole('img')
      .evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? el.textContent))
      .catch(() => 'unreadable');
    const counters = await Promise.all([page, ...others].map((p) => p.evaluate(() => window.p2p?.stats().chat).catch(() => 'unreadable')));
    throw new Error(
      `"${text}" never showed ${String(state)}: it shows ${JSON.stringify(ticks)}; chat counters ${JSON.stringify(counters)}`,
      {
        cause: e,
      },
    );
  }
}

/** Follow "Back to …" links until the list shows (on a phone, details go back to the chat first). */
export async function backToChats(page: Page): Promise<void> {
  for (let i = 0; i < 3 && !(await chatsHeading(page).isVisible()); i++) {
    const hash = await page.evaluate(() => location.hash);
    await page
      .getByRole('link', { name: /^Back to/ })
      .first()
      .click();
    await page.waitForFunction((h) => location.hash !== h, hash);
  }
  await chatsHeading(page).waitFor();
}

/** Go to a pane by its link in the list (Network, Settings, Add contact, Share my address). */
export async function goTo(page: Page, link: string, heading: string): Promise<void> {
  await page.getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { name: heading, exact: true }).waitFor();
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown; failureSummary?: string }>;
}

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** WCAG 2.1 A and AA violations on the page as it is now (axe-core, shadow roots included). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

/**
 * What scrolls sideways: the page itself, or any box inside it (through shadow roots), except the
 * regions meant to (wide tables, each a focusable region) and visually hidden text (1 px boxes).
 * Empty when the layout fits.
 */
export const sidewaysOverflow = (page: Page) =>
  page.evaluate(() => {
    const out: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) out.push(`page by ${doc.scrollWidth - doc.clientWidth}px`);
    const visit = (root: Document | ShadowRoot, host: string): void => {
      for (const el of Array.from(root.querySelectorAll('*'))) {
        if (el.shadowRoot) visit(el.shadowRoot, el.tagName.toLowerCase());
        if (el.getAttribute('role') === 'region' || el.tagName === 'TEXTAREA' || el.tagName === 'INPUT') continue;
        if (el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
          out.push(`${host} ${el.tagName.toLowerCase()}.${el.className} by ${el.scrollWidth - el.clientWidth}px`);
      }
    };
    visit(document, 'document');
    return out;
  });
