/**
 * Editing and deleting in the conversation view, in real Chromium on the fake chat: More on our
 * message offers Edit and Delete, on theirs Delete only; Edit (or Up in an empty box) puts the
 * text in the composer under an "Editing" banner (Escape drops it) and Enter saves it; Delete asks first and says who loses
 * the message; edited and deleted messages say so, and a quote of a deleted one too. Run inside
 * ../shared/tools/loopback-only.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { componentSuite } from '../helpers/component-page';

const h = componentSuite();
let page: Page;

async function open(): Promise<string> {
  page = await h.open();
  return page.evaluate(() => {
    const { chat } = window.ui.setup();
    const id = chat.addAccepted('Bob', { online: true });
    window.ui.mount('conversation-view', { contactId: id });
    return id;
  });
}

const draft = () => page.getByRole('textbox', { name: 'Message to Bob' });
const item = (text: string | RegExp) => page.getByRole('listitem').filter({ hasText: text });
/** More, then `action`, on a message. */
async function choose(msg: Locator, action: 'Edit' | 'Delete'): Promise<void> {
  await msg.getByRole('button', { name: 'More actions' }).click();
  await msg.getByRole('button', { name: action }).click();
}

/** Send `text` from the composer; its list item once shown. */
async function sendAndFind(text: string): Promise<Locator> {
  await draft().fill(text);
  await draft().press('Enter');
  const it = item(text);
  await it.waitFor();
  return it;
}

const callsOf = (method: string) => page.evaluate((m) => window.ui.s.chat.calls.filter((c) => c.method === m).map((c) => c.args), method);

describe('editing and deleting messages', () => {
  it('Edit puts our text in the composer; Escape drops the edit; Enter saves it, and the bubble says edited', async () => {
    const id = await open();
    const mine = await sendAndFind('See you at 5');
    const messageId = (await page.evaluate((c) => window.ui.s.chat.messages(c), id))[0]!.messageId;
    const bar = page.getByRole('group', { name: 'Editing' });

    await choose(mine, 'Edit');
    await bar.getByText('Editing your message').waitFor();
    expect(await draft().inputValue()).toBe('See you at 5');
    await page.keyboard.press('Escape');
    await expect.poll(() => bar.count()).toBe(0);
    expect(await draft().inputValue()).toBe('');

    await choose(mine, 'Edit');
    await draft().fill('See you at 6');
    await draft().press('Enter');
    await item('See you at 6').getByText('edited').waitFor();
    expect(await callsOf('edit')).toEqual([[id, messageId, 'See you at 6']]);
    expect(await callsOf('send')).toHaveLength(1);
    expect(await callsOf('typing')).toEqual([[id, true]]); // the first message's; an edit is no typing
    expect(await bar.count()).toBe(0);
    expect(await draft().inputValue()).toBe('');
    expect(await item('See you at 5').count()).toBe(0);
    // Up in the empty box edits the last message of ours (their later one is skipped).
    await page.evaluate((c) => window.ui.s.chat.receive(c, 'ok!'), id);
    await item('ok!').waitFor();
    await draft().focus();
    await page.keyboard.press('ArrowUp');
    await bar.getByText('See you at 6').waitFor();
    expect(await draft().inputValue()).toBe('See you at 6');
    await page.keyboard.press('Escape');
    await expect.poll(() => bar.count()).toBe(0);
  });

  it('an edit does not follow to another conversation: its text leaves the box', async () => {
    await open();
    const carol = await page.evaluate(() => window.ui.s.chat.addAccepted('Carol', { online: true }));
    const mine = await sendAndFind('for Bob only');
    await choose(mine, 'Edit');
    await page.getByRole('group', { name: 'Editing' }).waitFor();
    await page.evaluate((c) => {
      (window.ui.el() as HTMLElement & { contactId: string }).contactId = c;
    }, carol);
    const box = page.getByRole('textbox', { name: 'Message to Carol' });
    await box.waitFor();
    expect(await box.inputValue()).toBe('');
    expect(await page.getByRole('group', { name: 'Editing' }).count()).toBe(0);
  });

  it('Delete asks first: ours goes for both (and then offers nothing), Cancel changes nothing', async () => {
    const id = await open();
    const mine = await sendAndFind('wrong chat');
    const dialog = page.getByRole('dialog', { name: 'Delete this message?' });

    await choose(mine, 'Delete');
    await page.getByText('It is deleted for you and for Bob.').waitFor();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await callsOf('delete')).toEqual([]);

    await choose(mine, 'Delete');
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const gone = item('You deleted this message');
    await gone.waitFor();
    expect(await callsOf('delete')).toHaveLength(1);
    expect((await callsOf('delete'))[0]![0]).toBe(id);
    expect(await gone.getByRole('button').count()).toBe(0);
  });

  it('their message offers Delete only, on this device; a quote of a deleted message says so', async () => {
    const id = await open();
    const theirs = await page.evaluate((c) => window.ui.s.chat.receive(c, 'spam link').messageId, id);
    await page.evaluate(([c, q]) => window.ui.s.chat.receive(c!, 'did you get it?', { replyTo: q! }), [id, theirs]);
    const msg = item('spam link').first();
    await msg.getByRole('button', { name: 'More actions' }).click();
    expect(await msg.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    await msg.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete this message?' }).waitFor();
    await page.getByText('It is deleted on this device only. Bob still has it.').waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await item('This message was deleted').waitFor();
    await item('did you get it?').getByText('Deleted message').waitFor();
    expect(await callsOf('delete')).toEqual([[id, theirs]]);
    expect(await page.getByText('spam link').count()).toBe(0);
  });
});
