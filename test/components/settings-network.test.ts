/**
 * Settings (chat settings, notifications, signaling and ICE servers per device, the mail keeper,
 * backup export and restore, delete everything) and the network view (ring, budget, lookups, records; no polling
 * while hidden), in real Chromium on the fakes. Run inside ../shared/tools/loopback-only.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { componentSuite } from '../helpers/component-page';

const h = componentSuite();
let page: Page;

async function settings(): Promise<void> {
  page = await h.open();
  await page.evaluate(() => {
    window.ui.setup();
    window.ui.mount('settings-view');
  });
  await page.getByRole('heading', { name: 'Settings' }).waitFor();
}

const saved = () => page.evaluate(() => JSON.parse(localStorage.getItem(`p2p-chat:${window.ui.s.backend.profile}:settings`) ?? '{}'));

describe('settings', () => {
  it('turns read receipts and typing off and on through the API', async () => {
    await settings();
    const receipts = page.getByRole('checkbox', { name: 'Send read receipts' });
    expect(await receipts.isChecked()).toBe(true);
    await receipts.uncheck();
    await page.getByRole('checkbox', { name: 'Show when I am typing' }).uncheck();
    await expect.poll(() => page.evaluate(() => window.ui.s.chat.settings())).toEqual({ readReceipts: false, typing: false });
  });

  it('says when a chat setting could not be saved, and leaves the box as it was', async () => {
    await settings();
    await page.evaluate(() => window.ui.s.chat.failNext('setSettings', 'STORAGE'));
    const receipts = page.getByRole('checkbox', { name: 'Send read receipts' });
    await receipts.click();
    await page.getByRole('alert').filter({ hasText: 'Your browser has no room left' }).waitFor();
    expect(await receipts.isChecked()).toBe(true);
    expect(await page.evaluate(() => window.ui.s.chat.settings().readReceipts)).toBe(true);
  });

  it('saves the name', async () => {
    await settings();
    await page.getByLabel('Display name').fill('Alice B.');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(await page.evaluate(() => window.ui.s.chat.me().name)).toBe('Alice B.');
  });

  it('checks and stores the signaling server and STUN/TURN servers for the next load', async () => {
    await settings();
    await page.getByLabel('Signaling server').fill('https://127.0.0.1:9');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'must start with wss://' }).waitFor();
    await page.getByLabel('Signaling server').fill('wss://127.0.0.1:8443/signal');
    await page.getByLabel('STUN and TURN servers').fill('stun:127.0.0.1:3478\nturn:127.0.0.1:3478 alice');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Line 2: a TURN server needs a username and a password' }).waitFor();
    await page.getByLabel('STUN and TURN servers').fill('stun:127.0.0.1:3478\nturn:127.0.0.1:3478 alice s3cret');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'the next time this page opens' }).waitFor();
    expect(await saved()).toMatchObject({
      signalUrl: 'wss://127.0.0.1:8443/signal',
      iceServers: [{ urls: 'stun:127.0.0.1:3478' }, { urls: 'turn:127.0.0.1:3478', username: 'alice', credential: 's3cret' }],
    });
    await page.getByRole('button', { name: 'Reload now' }).waitFor();
  });

  it('names an accepted contact as the mail keeper, and none again', async () => {
    await settings();
    const id = await page.evaluate(() => window.ui.s.chat.addAccepted('My keeper'));
    const select = page.getByLabel('Contact that holds my mail');
    await select.selectOption({ label: 'My keeper' });
    await page.getByRole('button', { name: 'Save keeper' }).click();
    await page.getByRole('status').filter({ hasText: 'Your keeper holds mail from now on' }).waitFor();
    expect(await page.evaluate(() => window.ui.s.chat.me().keeper)).toBe(id);
    await select.selectOption({ label: 'None' });
    await page.getByRole('button', { name: 'Save keeper' }).click();
    await page.getByRole('status').filter({ hasText: 'No mail keeper.' }).waitFor();
    expect(await page.evaluate(() => window.ui.s.chat.me().keeper)).toBeUndefined();
  });

  it('shows how to set up a keeper: the command carries our own address link, quoted, and copies', async () => {
    page = await h.open({ permissions: ['clipboard-read', 'clipboard-write'] });
    await page.evaluate(() => {
      window.ui.setup();
      window.ui.mount('settings-view');
    });
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    const address = await page.evaluate(() => window.ui.s.chat.me().address);
    await page.getByText('How to set up a keeper').click();
    const command = `npm run peer -- --keep-for '${address}'`;
    expect(await page.locator('#keeper-cmd').textContent()).toBe(command);
    await page.getByRole('button', { name: 'Copy command' }).click();
    await page.getByRole('status').filter({ hasText: 'Command copied.' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(command);
  });

  it('exports a backup file after the passphrase is typed twice, and restores one after a confirmation', async () => {
    await settings();
    await page.getByLabel('Passphrase for the backup').fill('short');
    await page.getByRole('button', { name: 'Save a backup file' }).click();
    await page.getByRole('alert').filter({ hasText: 'at least 8 characters' }).waitFor();
    await page.getByLabel('Passphrase for the backup').fill('correct horse');
    await page.getByLabel('Passphrase again').fill('correct hose');
    await page.getByRole('button', { name: 'Save a backup file' }).click();
    await page.getByRole('alert').filter({ hasText: 'not the same' }).waitFor();
    await page.getByLabel('Passphrase again').fill('correct horse');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save a backup file' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^p2p-chat-backup-\d{4}-\d\d-\d\d\.p2pchat$/);
    const body = await new Promise<string>((resolve, reject) => {
      download.createReadStream().then((s) => {
        let t = '';
        s.on('data', (d: Buffer) => {
          t += d.toString();
        });
        s.on('end', () => resolve(t));
        s.on('error', reject);
      }, reject);
    });
    expect(JSON.parse(body)).toMatchObject({ passphrase: 'correct horse', name: 'Alice' });

    await page
      .getByLabel('Backup file', { exact: true })
      .setInputFiles({ name: 'b.p2pchat', mimeType: 'application/octet-stream', buffer: Buffer.from(body) });
    await page.getByLabel('Passphrase of that backup').fill('wrong');
    await page.getByRole('button', { name: 'Restore…' }).click();
    await page.getByRole('dialog', { name: 'Restore this backup?' }).waitFor();
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'That passphrase does not open this backup' }).waitFor();
  });

  it('deletes everything only after a confirmation, then starts over', async () => {
    await settings();
    await page.evaluate(() => window.ui.s.chat.failNext('wipe', 'CLOSED'));
    await page.getByRole('button', { name: 'Delete everything on this device…' }).click();
    await page.getByRole('dialog', { name: 'Delete everything on this device?' }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.evaluate(() => window.ui.s.chat.calls.some((c) => c.method === 'wipe'))).toBe(false);
    await page.getByRole('button', { name: 'Delete everything on this device…' }).click();
    await page.getByRole('button', { name: 'Delete everything', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'The chat stopped in this tab' }).waitFor();

    await page.evaluate(() => {
      localStorage.setItem(`p2p-chat:${window.ui.s.backend.profile}:settings`, '{"notifications":true}');
      sessionStorage.setItem('profile', window.ui.s.backend.profile);
    });
    await page.getByRole('button', { name: 'Delete everything on this device…' }).click();
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Delete everything', exact: true }).click()]);
    // The page started over, and this device's settings for the profile are gone too.
    expect(await page.evaluate(() => localStorage.getItem(`p2p-chat:${sessionStorage.getItem('profile')}:settings`))).toBe(null);
  });
});

describe('network view', () => {
  it('draws the ring with bucket fill, the connection budget, lookups and records', async () => {
    page = await h.open();
    await page.evaluate(() => {
      window.ui.setup({ status: { phase: 'joined', signal: 'open', peers: 9 } });
      window.ui.mount('network-view');
    });
    await page.getByRole('img', { name: /Your node at the top of the id ring, with 14 routing contacts, \d+ of them connected/ }).waitFor();
    await page.getByRole('list', { name: 'Bucket fill (k = 20)' }).getByText('6/20').waitFor();
    await page.getByRole('meter', { name: 'Connections made by this page' }).waitFor();
    expect(await page.getByText('17 of 500').count()).toBe(1);
    expect(await page.getByText('9 of 24').count()).toBe(1);
    expect(await page.getByRole('table', { name: 'Recent lookups' }).getByRole('row').count()).toBe(4);
    expect(
      await page
        .getByRole('table', { name: /Stored records/ })
        .getByRole('row')
        .count(),
    ).toBe(4);
  });

  it('asks for nothing while the page is hidden or the view is gone', async () => {
    page = await h.open();
    await page.evaluate(() => {
      window.ui.setup({ role: 'view' });
      window.ui.mount('network-view');
    });
    await page.getByText('This tab shows the node that runs in another tab').waitFor();
    const polls = () => page.evaluate(() => window.ui.s.net.polls);
    await expect.poll(polls).toBeGreaterThanOrEqual(2);
    type NetView = HTMLElement & { network: { polling: boolean } };
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { get: () => 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect(await page.evaluate(() => window.ui.el<NetView>().network.polling)).toBe(false);
    const hidden = await polls();
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { get: () => 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect.poll(polls).toBeGreaterThan(hidden);
    const el = await page.evaluateHandle(() => window.ui.el<NetView>());
    await page.evaluate(() => window.ui.mount('contacts-view'));
    expect(await el.evaluate((e) => (e as NetView).network.polling)).toBe(false);
  });
});
