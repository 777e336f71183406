/**
 * A mail keeper over real WebRTC: `npm run peer -- --keep-for <link>` (the CLI, as a self-hoster
 * runs it) logs its own address; the owner, a second headless peer in-process, adds it, is
 * accepted at once, names it with setKeeper, and its pulls are answered. Real signal server on
 * port 0. Run inside ../shared/tools/loopback-only.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalServer } from '../../signal-server/server';
import { startNodePeer, type NodePeer } from '../../web/headless/peer';
import { runCli } from '../helpers/headless-cli';
import { assertLoopbackOnly } from '../helpers/loopback';
import { startServer } from '../helpers/signal-harness';

let server: SignalServer | undefined;
const children: ChildProcess[] = [];
const peers: NodePeer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) await p.close();
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await server?.close();
  server = undefined;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function until(cond: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('mail keeper peer', () => {
  it('accepts its owner at once and answers its pulls', { timeout: 300_000 }, async () => {
    assertLoopbackOnly();
    server = await startServer();
    const dataOwner = await mkdtemp(join(tmpdir(), 'owner-'));
    const dataKeeper = await mkdtemp(join(tmpdir(), 'keeper-'));
    dirs.push(dataOwner, dataKeeper);

    const owner = await startNodePeer({ signalUrl: server.wsUrl, dataDir: dataOwner });
    peers.push(owner);
    await owner.joined;
    const keeper = runCli(['--signal', server.wsUrl, '--data', dataKeeper, '--keep-for', owner.chat.address()], {
      defaultTimeoutMs: 60_000,
    });
    children.push(keeper.p);
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
