/**
 * The conversation view in real Chromium on the fake chat: history with day separators and ticks,
 * keyboard (Enter sends, Shift+Enter new line, focus stays), scrolling (to the newest; kept when
 * older history loads), delivery states, retry after a failed send, a refused send that keeps the
 * draft, typing both ways, and marking read while visible. Run inside ../shared/tools/loopback-only.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { componentSuite } from '../helpers/component-page';

const h = componentSuite();
let page: Page;

/** Mount a conversation with Bob; returns his id. */
async function open(opts: { history?: number; online?: boolean; stepMs?: number } = {}): Promise<string> {
  page = await h.open();
  return page.evaluate((o) => {
    const { chat } = window.ui.setup();
    const id = chat.addAccepted('Bob', { online: o.online ?? true });
    if (o.history) chat.seedHistory(id, o.history, { stepMs: o.stepMs ?? 60_000 });
    window.ui.mount('conversation-view', { contactId: id });
    return id;
  }, opts);
}

const draft = () => page.getByRole('textbox', { name: 'Message to Bob' });
const scrollState = () =>
  page.evaluate(() => {
    const el = window.ui.el().shadowRoot!.querySelector('.scroll')!;
    return { top: el.scrollTop, height: el.scrollHeight, client: el.clientHeight };
  });
const focusedIsDraft = () =>
  page.evaluate(() => {
    let a = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    return a?.id === 'draft';
  });

describe('conversation view', () => {
  it('shows history with day separators and named ticks, scrolled to the newest message', async () => {
    await open({ history: 40, stepMs: 3_600_000 });
    await expect
      .poll(() =>
        page
          .getByRole('listitem')
          .filter({ hasText: /^Today$/ })
          .count(),
      )
      .toBe(1);
    expect(
      await page
        .getByRole('listitem')
        .filter({ hasText: /^Yesterday$/ })
        .count(),
    ).toBe(1);
    expect(await page.getByRole('img', { name: 'Read' }).count()).toBe(20);
    await expect
      .poll(async () => {
        const s = await scrollState();
        return s.height > s.client && s.height - s.top - s.client < 2;
      })
      .toBe(true);
    expect(await page.getByText('message 40', { exact: true }).isVisible()).toBe(true);
  });

  it('Enter sends, Shift+Enter starts a new line, and the box keeps focus', async () => {
    const id = await open({ history: 3 });
    await draft().click();
    await page.keyboard.type('hello');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('world');
    expect(await draft().inputValue()).toBe('hello\nworld');
    await page.keyboard.press('Enter');
    await expect.poll(() => draft().inputValue()).toBe('');
    const sends = await page.evaluate(() => window.ui.s.chat.calls.filter((c) => c.method === 'send').map((c) => c.args));
    expect(sends).toEqual([[id, 'hello\nworld']]);
    expect(await focusedIsDraft()).toBe(true);
    await page.getByText('hello\nworld').waitFor();
    await page.getByRole('img', { name: 'Sent' }).waitFor();
    // An empty Enter sends nothing.
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => window.ui.s.chat.calls.filter((c) => c.method === 'send').length)).toBe(1);
  });

  it('follows delivery states: sending, delivered, read (not shown with read receipts off)', async () => {
    const id = await open();
    await page.evaluate(() => {
      window.ui.s.chat.autoState = undefined;
    });
    await draft().fill('are you there?');
    await draft().press('Enter');
    await page.getByRole('img', { name: 'Sending' }).waitFor();
    const mid = 'm1';
    await page.evaluate(([c, m]) => window.ui.s.chat.setState(c, m, 'delivered'), [id, mid] as const);
    await page.getByRole('img', { name: 'Delivered' }).waitFor();
    await page.evaluate(([c, m]) => window.ui.s.chat.setState(c, m, 'read'), [id, mid] as const);
    await page.getByRole('img', { name: 'Read' }).waitFor();
    expect(await page.getByRole('img', { name: 'Sending' }).count()).toBe(0);
    // With read receipts off, theirs are not shown either: it stays at delivered.
    await page.evaluate(async (c) => {
      await window.ui.s.chat.setSettings({ readReceipts: false });
      window.ui.mount('conversation-view', { contactId: c });
    }, id);
    await page.getByRole('img', { name: 'Delivered' }).waitFor();
    expect(await page.getByRole('img', { name: 'Read' }).count()).toBe(0);
  });

  it('a failed send stays on screen with Retry, which sends it again', async () => {
    const id = await open();
    await page.evaluate(() => window.ui.s.chat.failNext('send', 'NOT_FOUND'));
    await draft().fill('lost one');
    await draft().press('Enter');
    const alert = page.getByRole('alert').filter({ hasText: 'could not be found' });
    await alert.waitFor();
    expect(await draft().inputValue()).toBe('');
    await page.getByRole('img', { name: 'Not sent' }).waitFor();
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('img', { name: 'Sent' }).waitFor();
    expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    const sends = await page.evaluate(() => window.ui.s.chat.calls.filter((c) => c.method === 'send').map((c) => c.args));
    expect(sends).toEqual([
      [id, 'lost one'],
      [id, 'lost one'],
    ]);
    expect(await page.getByText('lost one', { exact: true }).count()).toBe(1);
  });

  it.each([
    ['refused (too long)', 'BAD_ARGUMENT', 'That is too long or not allowed here. Your text is kept.'],
    ['not stored by the device (the chat announced it, then said failed)', 'STORAGE', 'Free some space'],
  ] as const)('a send %s keeps the draft, says why, and shows no message; the next send goes', async (_, code, why) => {
    await open();
    await page.getByText('No messages yet. Say hello!').waitFor();
    await page.evaluate((c) => window.ui.s.chat.failNext('send', c), code);
    await draft().fill('first words');
    await draft().press('Enter');
    await page.getByRole('alert').filter({ hasText: why }).waitFor();
    expect(await draft().inputValue()).toBe('first words');
    expect(await focusedIsDraft()).toBe(true);
    expect(await page.getByRole('listitem').filter({ hasText: 'first words' }).count()).toBe(0);
    expect(await page.getByRole('img', { name: 'Not sent' }).count()).toBe(0);
    // The next send goes, and the note leaves.
    await draft().press('Enter');
    await page.getByText('first words', { exact: true }).waitFor();
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);
  });

  it('replies: Reply quotes a message above the box (Escape or Cancel drops it), and the reply shows the quote', async () => {
    const id = await open();
    const asked = await page.evaluate((c) => window.ui.s.chat.receive(c, 'Dinner on Friday?').messageId, id);
    const item = (text: string) => page.getByRole('listitem').filter({ hasText: text });
    const bar = page.getByRole('group', { name: 'Replying' });
    await item('Dinner on Friday?').getByRole('button', { name: 'Reply' }).click();
    await bar.getByText('Replying to Bob').waitFor();
    await bar.getByText('Dinner on Friday?').waitFor();
    expect(await focusedIsDraft()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => bar.count()).toBe(0);
    await item('Dinner on Friday?').getByRole('button', { name: 'Reply' }).click();
    await bar.getByRole('button', { name: 'Cancel reply' }).click();
    await expect.poll(() => bar.count()).toBe(0);

    await item('Dinner on Friday?').getByRole('button', { name: 'Reply' }).click();
    await draft().fill('Yes, at eight');
    await draft().press('Enter');
    await expect.poll(() => bar.count()).toBe(0);
    const sends = await page.evaluate(() => window.ui.s.chat.calls.filter((c) => c.method === 'send').map((c) => c.args));
    expect(sends).toEqual([[id, 'Yes, at eight', { replyTo: asked }]]);
    const reply = item('Yes, at eight');
    await reply.getByText('In reply to').waitFor({ state: 'attached' });
    expect(await reply.getByText('Dinner on Friday?').count()).toBe(1);
    expect(await reply.getByText('Bob', { exact: true }).count()).toBe(1);
    // The next message is no reply.
    await draft().fill('See you');
    await draft().press('Enter');
    await item('See you').waitFor();
    expect(await item('See you').getByText('In reply to').count()).toBe(0);
    // A reply to a message not loaded here says so.
    await page.evaluate((c) => window.ui.s.chat.receive(c, 'about that', { replyTo: 'f'.repeat(32) }), id);
    await item('about that').getByText('an earlier message').waitFor();
  });

  it('a click on a quote scrolls to the message it answers and marks it', async () => {
    const id = await open({ history: 40 });
    await page.getByText('message 40', { exact: true }).waitFor();
    // A reply to the oldest message, which is far above the newest.
    const first = await page.evaluate((c) => {
      const chat = window.ui.s.chat;
      return chat.messages(c, { limit: 50 }).then((l) => {
        chat.receive(c, 'about your first message', { replyTo: l[0]!.messageId });
        return l[0]!.messageId;
      });
    }, id);
    const reply = page.getByRole('listitem').filter({ hasText: 'about your first message' });
    const quote = reply.getByRole('button', { name: /In reply to/ });
    await quote.waitFor();
    const inView = () =>
      page.evaluate((mid) => {
        const root = window.ui.el().shadowRoot!;
        const scroller = root.querySelector('.scroll')!.getBoundingClientRect();
        const b = Array.from(root.querySelectorAll('message-bubble')).find((x) => x.message?.messageId === mid)!;
        const r = b.getBoundingClientRect();
        return r.top >= scroller.top && r.bottom <= scroller.bottom;
      }, first);
    expect(await inView()).toBe(false);
    // Whether it was marked (the mark goes after a moment: recorded, not polled).
    await page.evaluate((mid) => {
      const b = Array.from(window.ui.el().shadowRoot!.querySelectorAll('message-bubble')).find((x) => x.message?.messageId === mid)!;
      const w = window as unknown as { marked: boolean };
      w.marked = false;
      new MutationObserver(() => {
        if (b.hasAttribute('highlight')) w.marked = true;
      }).observe(b, { attributes: true });
    }, first);
    await quote.click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { marked: boolean }).marked)).toBe(true);
    await expect.poll(inView, { timeout: 10_000 }).toBe(true);
  });

  it('a quote of a message older than what is loaded shows it, and the click loads older history until it shows its bubble', async () => {
    const id = await open({ history: 120 });
    await page.emulateMedia({ reducedMotion: 'reduce' }); // the jump is then instant
    await page.getByText('message 120', { exact: true }).waitFor();
    const oldest = await page.evaluate(async (c) => {
      const chat = window.ui.s.chat;
      let page = await chat.messages(c, { limit: 50 });
      while (page.length === 50) page = await chat.messages(c, { before: page[0]!.messageId, limit: 50 });
      chat.receive(c, 'remember this one?', { replyTo: page[0]!.messageId });
      return page[0]!.text;
    }, id);
    expect(oldest).toBe('message 1');
    const quote = page
      .getByRole('listitem')
      .filter({ hasText: 'remember this one?' })
      .getByRole('button', { name: /In reply to/ });
    // Its page is not loaded, yet the quote shows it (asked for by id).
    await quote.getByText('message 1', { exact: true }).waitFor();
    const bubbleOf = (text: string) =>
      page.evaluate(
        (t) => Array.from(window.ui.el().shadowRoot!.querySelectorAll('message-bubble')).some((b) => b.message?.text === t),
        text,
      );
    expect(await bubbleOf('message 1')).toBe(false);
    expect(await page.evaluate(() => window.ui.s.chat.calls.filter((c) => c.method === 'message').length)).toBe(1);
    await quote.click();
    await expect
      .poll(
        () =>
          page.evaluate(() => {
            const root = window.ui.el().shadowRoot!;
            const box = root.querySelector('.scroll')!.getBoundingClientRect();
            const b = Array.from(root.querySelectorAll('message-bubble')).find((x) => x.message?.text === 'message 1');
            if (!b) return false;
            const r = b.getBoundingClientRect();
            return r.top >= box.top && r.bottom <= box.bottom;
          }),
        { timeout: 10_000 },
      )
      .toBe(true);
  });

  it('a quote whose read failed says "an earlier message", and is asked again when the list next changes', async () => {
    const id = await open({ history: 120 });
    await page.getByText('message 120', { exact: true }).waitFor();
    await page.evaluate(async (c) => {
      const chat = window.ui.s.chat;
      let page = await chat.messages(c, { limit: 50 });
      while (page.length === 50) page = await chat.messages(c, { before: page[0]!.messageId, limit: 50 });
      chat.failNext('message', 'STORAGE');
      chat.receive(c, 'remember this one?', { replyTo: page[0]!.messageId });
    }, id);
    const quote = page
      .getByRole('listitem')
      .filter({ hasText: 'remember this one?' })
      .getByRole('button', { name: /In reply to/ });
    await quote.getByText('an earlier message').waitFor();
    const asked = () => page.evaluate(() => window.ui.s.chat.calls.filter((c) => c.method === 'message').length);
    expect(await asked()).toBe(1);
    await page.evaluate((c) => window.ui.s.chat.receive(c, 'still there?'), id);
    await quote.getByText('message 1', { exact: true }).waitFor();
    expect(await asked()).toBe(2);
  });

  it('tells the contact while typing (at most every few seconds), and that it stopped when the box is cleared', async () => {
    const id = await open();
    await draft().click();
    await page.keyboard.type('hel');
    await page.keyboard.type('lo');
    const typing = () => page.evaluate(() => window.ui.s.chat.calls.filter((c) => c.method === 'typing').map((c) => c.args));
    expect(await typing()).toEqual([[id, true]]);
    await draft().fill('');
    expect(await typing()).toEqual([
      [id, true],
      [id, false],
    ]);
    // With typing indicators off, nothing is sent and theirs are not shown.
    await page.evaluate(() => window.ui.s.chat.setSettings({ typing: false }));
    await page.evaluate(() => window.ui.mount('conversation-view', { contactId: window.ui.s.chat.contacts()[0]!.contactId }));
    await draft().click();
    await page.keyboard.type('quiet');
    await page.evaluate((c) => window.ui.s.chat.setTyping(c, true), id);
    expect(await typing()).toHaveLength(2);
    expect(await page.getByText('typing…').count()).toBe(0);
  });

  it('marks their messages read while the conversation is visible, not while the tab is hidden', async () => {
    const id = await open({ history: 2 });
    await page.getByText('message 2', { exact: true }).waitFor();
    const markReads = () => page.evaluate(() => window.ui.s.chat.calls.filter((c) => c.method === 'markRead').length);
    expect(await markReads()).toBe(0);
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.evaluate((c) => window.ui.s.chat.receive(c, 'while you were away'), id);
    await page.getByText('while you were away').waitFor();
    expect(await markReads()).toBe(0);
    expect(await page.evaluate(() => window.ui.s.chat.unread())).toEqual({ [id]: 1 });
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect.poll(() => page.evaluate(() => window.ui.s.chat.unread())).toEqual({});
    expect(await markReads()).toBe(1);
  });

  it('loading older history keeps the messages on screen where they were', async () => {
    await open({ history: 120 });
    await page.getByText('message 120', { exact: true }).waitFor();
    expect(await page.getByText('message 70', { exact: true }).count()).toBe(0);
    const topOf71 = () =>
      page.evaluate(() => {
        const view = window.ui.el().shadowRoot!;
        const scroller = view.querySelector('.scroll')!;
        const bubble = [...view.querySelectorAll('message-bubble')].find((b) => b.message?.text === 'message 71')!;
        return bubble.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
      });
    await page.evaluate(() => window.ui.s.chat.hold('messages'));
    await page.evaluate(() => {
      window.ui.el().shadowRoot!.querySelector('.scroll')!.scrollTop = 0;
    });
    await expect.poll(() => page.evaluate(() => window.ui.s.chat.calls.filter((c) => c.method === 'messages').length)).toBe(2);
    const before = await topOf71();
    await page.evaluate(() => window.ui.s.chat.release('messages'));
    await page.getByText('message 21', { exact: true }).waitFor({ state: 'attached' });
    expect(Math.abs((await topOf71()) - before)).toBeLessThan(2);
    expect((await scrollState()).top).toBeGreaterThan(1000);
    expect(await page.evaluate(() => window.ui.s.chat.calls.filter((c) => c.method === 'messages').map((c) => c.args[1]))).toEqual([
      { limit: 50 },
      { before: expect.stringMatching(/^h/), limit: 50 },
    ]);
  });

  it('says an offline contact’s messages wait in the mailbox; shows typing; appends what arrives', async () => {
    const id = await open({ online: false, history: 2 });
    await page.getByText('Bob is offline. Your messages wait in their mailbox').waitFor();
    await page.evaluate((c) => window.ui.s.chat.setOnline(c, true), id);
    await expect.poll(() => page.getByText('Bob is offline').count()).toBe(0);
    await page.evaluate((c) => window.ui.s.chat.setTyping(c, true), id);
    await page.getByText('typing…').waitFor();
    await page.evaluate((c) => window.ui.s.chat.receive(c, 'just got here'), id);
    await page.getByText('just got here').waitFor();
    await expect.poll(() => page.getByText('typing…').count()).toBe(0);
    // It was visible, so it was marked read.
    await expect.poll(() => page.evaluate(() => window.ui.s.chat.calls.some((c) => c.method === 'markRead'))).toBe(true);
  });
});
