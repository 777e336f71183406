/**
 * The app's root in real Chromium on the fake chat: first run (name, errors, restore), the list and
 * panes by route, one pane at a time on a phone, an address link opened in the app (a dialog that
 * traps and returns focus), the unread count in the title, the live region, notifications while
 * hidden, and the signaling banner. Run inside ../shared/tools/loopback-only.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { componentSuite } from '../helpers/component-page';

const h = componentSuite();
let page: Page;

async function mountApp(opts: { name?: string; viewport?: { width: number; height: number } } = {}): Promise<void> {
  page = await h.open(opts.viewport ? { viewport: opts.viewport } : {});
  await page.evaluate((o) => {
    window.ui.setup({ name: o.name ?? 'Alice' });
    window.ui.mount('p2p-app');
  }, opts);
}

const deepFocus = () =>
  page.evaluate(() => {
    let a = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    return a ? `${a.tagName.toLowerCase()}${a.id ? `#${a.id}` : ''}:${(a.textContent ?? '').trim().slice(0, 30)}` : '';
  });

describe('first run', () => {
  it('asks for a name (an empty one is refused, with focus kept), shows the join, then opens the chats', async () => {
    await mountApp({ name: '' });
    const name = page.getByLabel('Your name');
    await name.waitFor();
    expect(await deepFocus()).toMatch(/^input#name/);
    await page.getByRole('list', { name: 'Joining the network' }).waitFor();
    await page.evaluate(() => window.ui.s.net.setStatus({ phase: 'bootstrapping', signal: 'open', peers: 2 }));
    await page.getByText('Meeting other devices: 2 connections so far.').waitFor();
    await page.getByRole('button', { name: 'Start chatting' }).click();
    await page.getByRole('alert').filter({ hasText: 'Type the name people will see.' }).waitFor();
    expect(await deepFocus()).toMatch(/^input#name/);
    await name.fill('Alice');
    await name.press('Enter');
    await page.getByRole('heading', { name: 'Chats', exact: true }).waitFor();
    expect(await page.evaluate(() => window.ui.s.chat.calls.filter((c) => c.method === 'setName').map((c) => c.args))).toEqual([['Alice']]);
    expect(await page.evaluate(() => performance.getEntriesByName('p2p:interactive').length)).toBe(1);
  });

  it('restores identity, contacts and history from a backup file; a wrong passphrase or another file says so', async () => {
    await mountApp({ name: '' });
    const backup = await page.evaluate(async () => {
      const other = new window.ui.FakeChatApi({ name: 'Restored Alice' });
      const bob = other.addAccepted('Bob');
      other.receive(bob, 'dinner?');
      await other.send(bob, 'see you at eight');
      return (await other.exportBackup('correct horse')).text();
    });
    await page.getByRole('button', { name: 'Restore from a backup' }).click();
    const file = { name: 'alice.p2pchat', mimeType: 'application/octet-stream', buffer: Buffer.from(backup) };
    await page.getByLabel('Backup file').setInputFiles(file);
    await page.getByLabel('Passphrase').fill('wrong one');
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'That passphrase does not open this backup' }).waitFor();
    await page.getByLabel('Passphrase').fill('correct horse');
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await page.getByRole('heading', { name: 'Chats', exact: true }).waitFor();

    // The history came back too: the row shows the last message.
    await page.getByRole('link', { name: /^Bob, You: see you at eight, [^,]+, offline$/ }).waitFor();

    await mountApp({ name: '' });
    await page.getByRole('button', { name: 'Restore from a backup' }).click();
    await page.getByLabel('Backup file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a backup') });
    await page.getByLabel('Passphrase').fill('correct horse');
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'This file is not a backup from this app' }).waitFor();
  });
});

describe('the app', () => {
  it('desktop: list and pane side by side; routes open panes; the title counts unread; arrivals are announced', async () => {
    await mountApp();
    const bob = await page.evaluate(() => window.ui.s.chat.addAccepted('Bob', { online: true }));
    await page.getByRole('link', { name: /Bob, online/ }).click();
    await page.getByRole('textbox', { name: 'Message to Bob' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Chats', exact: true }).isVisible()).toBe(true);
    expect(await deepFocus()).toMatch(/^textarea#draft/);
    await page.evaluate(() => {
      location.hash = '#/';
    });
    await page.evaluate((id) => window.ui.s.chat.receive(id, 'ping from Bob'), bob);
    await expect.poll(() => page.title()).toBe('(1) p2p chat');
    await expect
      .poll(() => page.evaluate(() => window.ui.el().shadowRoot!.querySelector('[aria-live="polite"]')!.textContent))
      .toBe('New message from Bob: ping from Bob');
    await page.getByRole('link', { name: /^Bob, ping from Bob, [^,]+, 1 unread, online$/ }).click();
    await expect.poll(() => page.title()).toBe('p2p chat');
    for (const [link, heading] of [
      ['Network', 'Network'],
      ['Settings', 'Settings'],
      ['Share my address', 'Share my address'],
      ['Add contact', 'Add a contact'],
    ] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      expect(await deepFocus()).toMatch(new RegExp(`^h2:${heading}`));
    }
  });

  it('phone: one pane at a time, back returns to the list', async () => {
    await mountApp({ viewport: { width: 360, height: 740 } });
    await page.evaluate(() => {
      window.ui.s.chat.addAccepted('Bob', { online: true });
    });
    const chats = page.getByRole('heading', { name: 'Chats', exact: true });
    await chats.waitFor();
    await page.getByRole('link', { name: /Bob/ }).click();
    await page.getByRole('textbox', { name: 'Message to Bob' }).waitFor();
    expect(await chats.isVisible()).toBe(false);
    await page.getByRole('link', { name: 'Back to chats' }).click();
    await chats.waitFor();
    expect(await page.getByRole('textbox', { name: 'Message to Bob' }).count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  });

  it('an address link opened in the app asks first, in a dialog that keeps and returns focus', async () => {
    await mountApp();
    const { link } = await page.evaluate(() => window.ui.s.chat.linkFor('Bob'));
    await page.evaluate((l) => {
      location.hash = new URL(l).hash;
    }, link);
    const dialog = page.getByRole('dialog', { name: 'Add Bob?' });
    await dialog.waitFor();
    expect(await deepFocus()).toMatch(/^button:Send request/);
    // Tab cycles inside: Send request -> Cancel -> message box -> Send request ...
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      seen.add(await deepFocus());
    }
    expect([...seen].sort()).toEqual(['button:Cancel', 'button:Send request', 'textarea#message:']);
    await page.keyboard.press('Escape');
    // The dialog closes at once; its close event (which navigates back) follows as a task.
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/');
    expect(await dialog.count()).toBe(0);

    await page.evaluate((l) => {
      location.hash = new URL(l).hash;
    }, link);
    await dialog.waitFor();
    // (Slotted dialog content is not a DOM descendant of <dialog>: find it from the page.)
    await page.getByLabel('First message (optional)').fill('hi, it is Alice');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByText('Bob has not accepted your request yet').waitFor();
    expect(await page.evaluate(() => window.ui.s.chat.calls.find((c) => c.method === 'addContact')?.args[1])).toEqual({
      message: 'hi, it is Alice',
    });

    // The same link again: already a contact, said in the dialog.
    await page.evaluate((l) => {
      location.hash = new URL(l).hash;
    }, link);
    await page.getByRole('dialog', { name: 'This link cannot be added' }).waitFor();
    await page.getByText('This person is already in your contacts.').waitFor();
  });

  it('notifies of a message while the tab is hidden, only when turned on', async () => {
    await mountApp();
    const bob = await page.evaluate(() => {
      const notes: string[] = [];
      (window as unknown as { notes: string[] }).notes = notes;
      class FakeNotification {
        static permission = 'granted';
        onclick: (() => void) | null = null;
        constructor(title: string, o: { body: string }) {
          notes.push(`${title}: ${o.body}`);
        }
        close(): void {}
      }
      Object.defineProperty(window, 'Notification', { value: FakeNotification, configurable: true });
      Object.defineProperty(document, 'visibilityState', { get: () => 'hidden', configurable: true });
      return window.ui.s.chat.addAccepted('Bob');
    });
    const notes = () => page.evaluate(() => (window as unknown as { notes: string[] }).notes);
    await page.evaluate((id) => window.ui.s.chat.receive(id, 'first'), bob);
    await expect.poll(() => page.title()).toBe('(1) p2p chat');
    expect(await notes()).toEqual([]);
    await page.evaluate((id) => {
      localStorage.setItem(`p2p-chat:${window.ui.s.backend.profile}:settings`, JSON.stringify({ notifications: true }));
      window.ui.s.chat.receive(id, 'second');
    }, bob);
    await expect.poll(notes).toEqual(['Bob: second']);
  });

  it('shows a banner while the signaling server or the network is out of reach', async () => {
    await mountApp();
    const banner = page.getByRole('status').filter({ hasText: 'cannot be reached' });
    await page.getByRole('heading', { name: 'Chats', exact: true }).waitFor();
    expect(await banner.count()).toBe(0);
    await page.evaluate(() => window.ui.s.net.setStatus({ phase: 'joined', signal: 'reconnecting', peers: 3 }));
    await banner.filter({ hasText: 'Chats with people you are connected to keep working' }).waitFor();
    await page.evaluate(() => window.ui.s.net.setStatus({ signal: 'reconnecting', peers: 0 }));
    await banner.filter({ hasText: 'Your chats are here to read' }).waitFor();
    await page.evaluate(() => window.ui.s.net.setStatus({ signal: 'open', peers: 3 }));
    await expect.poll(() => banner.count()).toBe(0);
  });
});
