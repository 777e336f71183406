/**
 * The contact list and adding contacts, in real Chromium on the fake chat: requests on top with
 * Accept and Decline, rows (online state, unread, last message), the notification prompt, and the
 * add-contact form (link check as you paste, errors by code, the request). Run inside
 * ../shared/tools/loopback-only.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { componentSuite } from '../helpers/component-page';

const h = componentSuite();
let page: Page;

async function mount(tag: string): Promise<void> {
  page = await h.open();
  await page.evaluate((t) => {
    window.ui.setup();
    window.ui.mount(t);
  }, tag);
}

const calls = (method: string) => page.evaluate((m) => window.ui.s.chat.calls.filter((c) => c.method === m).map((c) => c.args), method);

describe('contacts view', () => {
  it('puts requests on top; Accept makes a contact, Decline removes the request', async () => {
    await mount('contacts-view');
    await page.getByText('No contacts yet.').waitFor();
    const [carol, dave] = await page.evaluate(() => [
      window.ui.s.chat.addRequest('Carol', 'hi, we met at the meetup'),
      window.ui.s.chat.addRequest('Dave'),
    ]);
    await page.getByRole('heading', { name: 'Contact requests' }).waitFor();
    await page.getByText('“hi, we met at the meetup”').waitFor();
    expect(await page.getByText('No contacts yet.').count()).toBe(0);
    await page.getByRole('button', { name: 'Accept Carol' }).click();
    await page.getByRole('link', { name: /^Carol, offline/ }).waitFor();
    await page.getByRole('button', { name: 'Decline Dave' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Contact requests' }).count()).toBe(0);
    expect(await calls('accept')).toEqual([[carol]]);
    expect(await calls('reject')).toEqual([[dave]]);
  });

  it('shows online state, unread count and the last message; asked contacts wait apart', async () => {
    await mount('contacts-view');
    await page.evaluate(() => {
      const c = window.ui.s.chat;
      const bob = c.addAccepted('Bob', { online: true });
      c.seedHistory(bob, 3, { text: (i) => `hello ${i}` });
      c.receive(bob, 'are you free tonight?');
      c.addAccepted('Erin');
      void c.addContact(c.linkFor('Frank').link);
    });
    await page.getByRole('link', { name: /^Bob, are you free tonight\?, [^,]+, 1 unread, online$/ }).waitFor();
    await page.getByRole('link', { name: 'Erin, offline' }).waitFor();
    await page.getByRole('heading', { name: 'Waiting for an answer' }).waitFor();
    await page.getByRole('link', { name: 'Frank, waiting for them to accept' }).waitFor();
    // Most recent conversation first.
    const names = await page.getByRole('region', { name: 'Contacts' }).getByRole('link').allTextContents();
    expect(names[0]).toMatch(/Bob/);
  });

  it('keeps previews and unread counts live: what arrives, what I send, and the order of the list', async () => {
    await mount('contacts-view');
    const [bob] = await page.evaluate(() => {
      const c = window.ui.s.chat;
      const ids = [c.addAccepted('Bob'), c.addAccepted('Carol')];
      c.seedHistory(ids[0]!, 1, { end: Date.now() - 3_600_000, text: () => 'old news' });
      c.seedHistory(ids[1]!, 1, { end: Date.now() - 60_000, text: () => 'newer' });
      return ids;
    });
    // Both previews first (each list row asks for its own): the order depends on them.
    await page.getByRole('link', { name: /^Bob, old news, [^,]+, offline$/ }).waitFor();
    await page.getByRole('link', { name: /^Carol, newer, [^,]+, offline$/ }).waitFor();
    const first = async () => (await page.getByRole('region', { name: 'Contacts' }).getByRole('link').allTextContents())[0]?.trim();
    expect(await first()).toMatch(/^Carol/);
    await page.evaluate((id) => {
      window.ui.s.chat.receive(id, 'one');
      window.ui.s.chat.receive(id, 'two');
    }, bob!);
    await page.getByRole('link', { name: /^Bob, two, [^,]+, 2 unread, offline$/ }).waitFor();
    expect(await first()).toMatch(/^Bob/);
    // What I send shows as mine, and no more messages are asked for than the first one per contact.
    await page.evaluate((id) => window.ui.s.chat.send(id, 'on my way'), bob!);
    await page.getByRole('link', { name: /^Bob, You: on my way, [^,]+, 2 unread, offline$/ }).waitFor();
    expect((await calls('messages')).length).toBe(2);
    await page.evaluate(async (id) => {
      await window.ui.s.chat.markRead(id);
      window.ui.s.chat.setOnline(id, true);
    }, bob!);
    await page.getByRole('link', { name: /^Bob, You: on my way, [^,]+, online$/ }).waitFor();
    // An edit of the last message shows; so does its deletion.
    await page.evaluate(async (id) => {
      const c = window.ui.s.chat;
      const [last] = await c.messages(id, { limit: 1 });
      await c.edit(id, last!.messageId, 'almost there');
    }, bob!);
    await page.getByRole('link', { name: /^Bob, You: almost there, [^,]+, online$/ }).waitFor();
    await page.evaluate(async (id) => {
      const c = window.ui.s.chat;
      const [last] = await c.messages(id, { limit: 1 });
      await c.delete(id, last!.messageId);
    }, bob!);
    await page.getByRole('link', { name: /^Bob, You: Deleted message, [^,]+, online$/ }).waitFor();
  });

  it('a message the device could not store leaves the preview: it shows the last stored one again', async () => {
    await mount('contacts-view');
    const bob = await page.evaluate(() => window.ui.s.chat.addAccepted('Bob'));
    await page.evaluate((id) => window.ui.s.chat.send(id, 'on my way'), bob);
    await page.getByRole('link', { name: /^Bob, You: on my way, [^,]+, offline$/ }).waitFor();
    const refused = await page.evaluate((id) => {
      window.ui.s.chat.failNext('send', 'STORAGE');
      return window.ui.s.chat.send(id, 'not kept').then(
        () => 'sent',
        (e: unknown) => (e as { code?: string }).code,
      );
    }, bob);
    expect(refused).toBe('STORAGE');
    await page.getByRole('link', { name: /^Bob, You: on my way, [^,]+, offline$/ }).waitFor();
    expect(await page.getByRole('link', { name: /not kept/ }).count()).toBe(0);
  });

  it('offers notifications once there is a contact; "Not now" is remembered, "Turn on" asks the browser', async () => {
    await mount('contacts-view');
    // Headless Chromium answers 'denied' by itself; stand in for a browser that has not asked yet.
    await page.evaluate(() => {
      const asking = {
        permission: 'default',
        requestPermission: async () => {
          asking.permission = 'granted';
          return 'granted';
        },
      };
      Object.defineProperty(window, 'Notification', { value: asking, configurable: true });
      window.ui.mount('contacts-view');
    });
    const prompt = page.getByRole('group', { name: 'Get notified of new messages?' });
    await page.getByText('No contacts yet.').waitFor();
    expect(await prompt.count()).toBe(0);
    await page.evaluate(() => window.ui.s.chat.addAccepted('Bob'));
    await prompt.waitFor();
    await page.getByRole('button', { name: 'Not now' }).click();
    await expect.poll(() => prompt.count()).toBe(0);
    await page.evaluate(() => window.ui.mount('contacts-view'));
    await page.getByRole('link', { name: /Bob/ }).waitFor();
    expect(await prompt.count()).toBe(0);

    await page.evaluate(() => {
      localStorage.clear();
      window.ui.mount('contacts-view');
    });
    await page.getByRole('button', { name: 'Turn on notifications' }).click();
    await expect.poll(() => prompt.count()).toBe(0);
    const saved = await page.evaluate(() => JSON.parse(localStorage.getItem(`p2p-chat:${window.ui.s.backend.profile}:settings`) ?? '{}'));
    expect(saved).toMatchObject({ notifications: true, askedNotifications: true });
  });
});

describe('add contact', () => {
  it('checks the link as it is pasted and says what is wrong, by code', async () => {
    await mount('add-contact-view');
    const link = page.getByLabel('Their address link');
    const check = page.locator('add-contact-view').locator('#link-check');
    await link.fill('hello there');
    await expect.poll(() => check.textContent()).toBe('That is not a chat address link. Copy the whole link and try again.');
    const good = await page.evaluate(() => window.ui.s.chat.linkFor('Bob').link);
    const broken = good.slice(0, -3) + (good.endsWith('A') ? 'B' : 'A') + good.slice(-2);
    await link.fill(broken);
    await expect.poll(() => check.textContent()).toMatch(/damaged|not a chat address link/);
    const mine = await page.evaluate(() => window.ui.s.chat.me().address);
    await link.fill(mine);
    await expect.poll(() => check.textContent()).toBe('That is your own address.');
    await link.fill(good);
    await expect.poll(() => check.textContent()).toBe('This is the address of Bob.');
  });

  it('sends the request with a first message and says it is on its way', async () => {
    await mount('add-contact-view');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByRole('alert').filter({ hasText: 'Paste their address link first.' }).waitFor();
    const { link, contactId } = await page.evaluate(() => window.ui.s.chat.linkFor('Bob'));
    await page.getByLabel('Their address link').fill(link);
    await page.getByLabel('First message (optional)').fill('Hi Bob, Alice here');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByRole('status').filter({ hasText: 'Request sent to Bob.' }).waitFor();
    expect(await calls('addContact')).toEqual([[link, { message: 'Hi Bob, Alice here' }]]);
    expect(await page.getByRole('link', { name: 'Open the chat' }).getAttribute('href')).toBe(`#/chat/${contactId}`);
    expect(await page.getByLabel('Their address link').inputValue()).toBe('');
    // Adding the same person again is refused with the API's code, shown as words.
    await page.getByLabel('Their address link').fill(link);
    await page.evaluate(() => window.ui.s.chat.failNext('addContact', 'DUPLICATE_CONTACT'));
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByRole('alert').filter({ hasText: 'This person is already in your contacts.' }).waitFor();
  });
});
