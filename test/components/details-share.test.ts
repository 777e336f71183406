/**
 * Contact details (safety number as digits and QR, verify, rename, remove behind a dialog that
 * traps and returns focus) and "share my address" (copy, QR, new address behind a confirmation),
 * in real Chromium on the fake chat. Run inside ../shared/tools/loopback-only.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { componentSuite } from '../helpers/component-page';

const h = componentSuite();
let page: Page;

const deepFocus = () =>
  page.evaluate(() => {
    let a = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    return a ? `${a.tagName.toLowerCase()}:${(a.textContent ?? '').trim()}` : '';
  });

async function details(): Promise<string> {
  page = await h.open();
  return page.evaluate(() => {
    window.ui.setup();
    const id = window.ui.s.chat.addAccepted('Bob', { online: true });
    window.ui.mount('contact-details-view', { contactId: id });
    return id;
  });
}

describe('contact details', () => {
  it('shows the safety number as 12 groups and a QR code; mark as verified', async () => {
    const id = await details();
    const digits = page.getByRole('list', { name: 'Safety number with Bob' });
    await digits.waitFor();
    const groups = await digits.getByRole('listitem').allTextContents();
    const expected = await page.evaluate((c) => window.ui.s.chat.contacts().find((x) => x.contactId === c)!.safetyNumber, id);
    expect(groups.join(' ')).toBe(expected);
    expect(groups).toHaveLength(12);
    for (const g of groups) expect(g).toMatch(/^\d{5}$/);
    await page.getByRole('img', { name: 'QR code of the safety number with Bob' }).and(page.locator('img')).waitFor();
    await page.getByRole('button', { name: 'Mark as verified' }).click();
    await page.getByText('Verified', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Mark as verified' }).count()).toBe(0);
  });

  it('renames', async () => {
    const id = await details();
    await page.getByLabel('Name for this contact').fill('Bobby');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('heading', { name: 'Bobby' }).waitFor();
    expect(await page.evaluate(() => window.ui.s.chat.calls.find((c) => c.method === 'rename')?.args)).toEqual([id, 'Bobby']);
  });

  it('removes after a confirmation; the dialog keeps focus inside and gives it back', async () => {
    const id = await details();
    const open = page.getByRole('button', { name: 'Remove Bob…' });
    await open.click();
    const dialog = page.getByRole('dialog', { name: 'Remove Bob?' });
    await dialog.waitFor();
    expect(await deepFocus()).toBe('button:Cancel');
    await page.keyboard.press('Tab');
    expect(await deepFocus()).toBe('button:Remove');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    expect(await deepFocus()).toBe('button:Remove');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await deepFocus()).toBe('button:Remove Bob…');
    await open.click();
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/');
    expect(await page.evaluate(() => window.ui.s.chat.calls.find((c) => c.method === 'removeContact')?.args)).toEqual([id]);
  });
});

describe('share my address', () => {
  it('shows the link and its QR code; Copy copies it', async () => {
    page = await h.open({ permissions: ['clipboard-read', 'clipboard-write'] });
    const address = await page.evaluate(() => {
      window.ui.setup();
      window.ui.mount('share-address-view');
      return window.ui.s.chat.me().address;
    });
    expect(await page.getByLabel('Your address link', { exact: true }).inputValue()).toBe(address);
    await page.getByRole('img', { name: 'QR code of your address link' }).and(page.locator('img')).waitFor();
    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.getByRole('status').filter({ hasText: 'Link copied.' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(address);
  });

  it('makes a new address only after saying that old links stop working', async () => {
    page = await h.open();
    const before = await page.evaluate(() => {
      window.ui.setup();
      window.ui.mount('share-address-view');
      return window.ui.s.chat.me().address;
    });
    await page.getByRole('button', { name: 'Make a new address…' }).click();
    await page.getByRole('dialog', { name: 'Make a new address?' }).waitFor();
    await page.getByText('Your current link and QR code stop working at once').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.evaluate(() => window.ui.s.chat.calls.some((c) => c.method === 'rotateAddress'))).toBe(false);
    await page.getByRole('button', { name: 'Make a new address…' }).click();
    await page.getByRole('button', { name: 'Make a new address', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'You have a new address. The old link no longer works.' }).waitFor();
    const after = await page.getByLabel('Your address link', { exact: true }).inputValue();
    expect(after).not.toBe(before);
    expect(after).toBe(await page.evaluate(() => window.ui.s.chat.me().address));
  });
});
