/**
 * A mail keeper over real WebRTC: `npm run peer -- --keep-for <link>` (the CLI, as a self-hoster
 * runs it) logs its own address; the owner, a second headless peer in-process, adds it, is
 * accepted at once, names it with setKeeper, and its pulls are answered. Real signal server on
 * port 0. Run inside ../shared/tools/loopback-only.
 */
import { PeerRig } from '../helpers/peer-rig';
import { afterEach, describe, expect, it } from 'vitest';

const rig = new PeerRig();
afterEach(() => rig.cleanup());

async function until(cond: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('mail keeper peer', () => {
  it('accepts its owner at once and answers its pulls', { timeout: 300_000 }, async () => {
    await rig.start();
    const owner = await rig.peer(await rig.tempDir('owner-'));
    await owner.joined;
    const keeper = rig.cli(['--data', await rig.tempDir('keeper-'), '--keep-for', owner.chat.address()], { defaultTimeoutMs: 60_000 });
    const line = await keeper.waitLine('mail keeper');
    expect(line.owner).toBe(owner.chat.id);
    await keeper.waitLine('joined');

    const { contactId } = await owner.chat.people.addContact(line.address as string);
    await until(() => owner.chat.contacts.get(contactId)?.state === 'accepted', 'the keeper accepts its owner');
    await owner.chat.setKeeper(contactId);
    expect(owner.chat.whoami().keeper).toBe(contactId);
    await until(() => owner.chat.counters.get('keeper.pull_answered') > 0, 'a pull answered');
    expect(owner.chat.counters.get('drop.kept_invalid')).toBe(0);

    keeper.p.kill('SIGTERM');
    expect(await keeper.exited).toBe(0);
  });
});
