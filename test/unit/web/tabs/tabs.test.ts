/**
 * One node per profile across tabs, in Node over real BroadcastChannels: the leader's dispatcher
 * serves a FakeChatApi, a view's TabProxy mirrors it, calls and coded errors cross, events are
 * forwarded with a fresh mirror, a leader that leaves fails the calls in flight and the next one
 * answers; the facade keeps the app's subscriptions across a takeover; the Web Locks election.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ChatError } from '../../../../shared/chat/errors';
import type { ContactEvent } from '../../../../shared/chat/api-types';
import type { NodeStatus } from '../../../../web/runtime/types';
import type { P2PConsoleApi } from '../../../../web/app/console-api';
import { serveTabs } from '../../../../web/tabs/dispatcher';
import { syncingChat } from '../../../../web/tabs/sync';
import { TabBackend } from '../../../../web/tabs/facade';
import { claimNode } from '../../../../web/tabs/leader';
import { TabProxy } from '../../../../web/tabs/proxy';
import { FakeChatApi } from '../../../helpers/fake-chat-api';
import { FakeNetApi, fakeSnapshot } from '../../../helpers/fake-backend';

let profile = 0;
const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

/** A leader tab: a fake chat behind a console API, served on the profile's channel. */
function leader(name: string, chat = new FakeChatApi({ name: 'Alice' })) {
  const net = new FakeNetApi({ phase: 'joined', peers: 3 });
  const p2p = {
    id: 'aa'.repeat(20),
    publicKey: 'bb'.repeat(32),
    profile: name,
    role: 'node',
    chat,
    status: () => net.status()!,
    peers: () => ['cc'.repeat(20)],
    stats: () => ({ id: 'aa'.repeat(20) }),
    network: async () => fakeSnapshot('aa'.repeat(20), net.status()),
    ready: async () => {},
    put: async (salt: string, value: string) => ({ target: 'dd'.repeat(20), seq: 1, replicas: salt.length + value.length }),
    node: { onStatus: (fn: (s: NodeStatus) => void) => net.onStatus(fn) },
  } as unknown as P2PConsoleApi;
  const server = serveTabs(name, p2p);
  cleanup.push(() => server.close());
  return { chat, net, server };
}

function view(name: string): TabProxy {
  const p = new TabProxy(name);
  cleanup.push(() => p.close());
  return p;
}

const newProfile = (): string => `tabs-test-${++profile}-${process.pid}`;

describe('tab proxy and dispatcher', () => {
  it('mirrors the leader, runs calls there, and is fresh after each answer', async () => {
    const name = newProfile();
    const l = leader(name);
    const v = view(name);
    await v.connected();
    expect(v.chat.me()).toEqual(l.chat.me());
    const { link, contactId } = l.chat.linkFor('Bob');
    expect(await v.chat.addContact(link, { message: 'hi' })).toEqual({ contactId });
    expect(v.chat.contacts().map((c) => [c.name, c.state])).toEqual([['Bob', 'requested']]);
    expect(l.chat.calls.find((c) => c.method === 'addContact')?.args).toEqual([link, { message: 'hi' }]);
    expect(v.console().id).toBe('aa'.repeat(20));
    expect(await v.console().put('a', 'bc')).toMatchObject({ replicas: 3 });
    expect((await v.net.network()).k).toBe(20);
    expect(() => v.console().node).toThrow(/another tab/);
  });

  it('forwards events with the mirror already updated, and node status', async () => {
    const name = newProfile();
    const l = leader(name);
    const v = view(name);
    await v.connected();
    const seen: Array<[ContactEvent, number]> = [];
    v.chat.on('contact', (e) => seen.push([e, v.chat.requests().length]));
    const statuses: string[] = [];
    v.net.onStatus((s) => statuses.push(`${s.phase}/${s.peers}`));
    const id = l.chat.addRequest('Carol', 'hello');
    l.net.setStatus({ peers: 4 });
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]).toEqual([{ contactId: id, state: 'pending' }, 1]);
    await expect.poll(() => statuses.at(-1)).toBe('joined/4');
  });

  it('brings errors back as coded ChatErrors, and Blobs across', async () => {
    const name = newProfile();
    const l = leader(name);
    const v = view(name);
    l.chat.failNext('accept', 'UNKNOWN_CONTACT');
    const err = await v.chat.accept('ee'.repeat(32)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatError);
    expect((err as ChatError).code).toBe('UNKNOWN_CONTACT');
    const blob = await v.chat.exportBackup('correct horse');
    expect(JSON.parse(await blob.text())).toMatchObject({ name: 'Alice' });
    l.chat.failNext('send', 'BAD_STATE', 'contact is pending');
    const refused = await v.chat.send('ee'.repeat(32), 'x').catch((e: unknown) => e);
    expect((refused as ChatError).message).toBe('BAD_STATE: contact is pending');
  });

  it('a change without an event made in one tab reaches the other views and the leader itself', async () => {
    const name = newProfile();
    const fake = new FakeChatApi({ name: 'Alice' });
    let leaderSynced = 0;
    let server: { sync(): void } | undefined;
    const l = leader(
      name,
      syncingChat(fake, () => {
        server?.sync();
        leaderSynced++;
      }) as FakeChatApi,
    );
    server = l.server;
    const bob = fake.addAccepted('Bob');
    fake.receive(bob, 'hi');
    const reader = view(name);
    const other = view(name);
    await reader.connected();
    await other.connected();
    expect(other.chat.unread()).toEqual({ [bob]: 1 });
    let otherChanged = 0;
    other.onChange(() => otherChanged++);
    await reader.chat.markRead(bob);
    await expect.poll(() => other.chat.unread()).toEqual({});
    expect(otherChanged).toBeGreaterThan(0);
    expect(leaderSynced).toBe(1);
    // From the leader's own app too.
    await l.chat.rename(bob, 'Bobby');
    await expect.poll(() => other.chat.contacts()[0]?.name).toBe('Bobby');
    expect(leaderSynced).toBe(2);
  });

  it('fails calls in flight when the leader leaves; the next leader answers the ones after', async () => {
    const name = newProfile();
    const first = leader(name);
    const v = view(name);
    await v.connected();
    let changes = 0;
    v.onChange(() => changes++);
    first.chat.hold('rename');
    const id = first.chat.addAccepted('Bob');
    const inFlight = v.chat.rename(id, 'Bobby').catch((e: unknown) => e);
    await expect.poll(() => first.chat.calls.some((c) => c.method === 'rename')).toBe(true);
    first.server.close();
    const err = await inFlight;
    expect((err as ChatError).code).toBe('CLOSED');
    const waiting = v.chat.setName('Alice 2');
    const second = leader(name, new FakeChatApi({ name: 'Alice' }));
    await waiting;
    expect(second.chat.me().name).toBe('Alice 2');
    expect(changes).toBe(1);
    expect(v.chat.me().name).toBe('Alice 2');
  });

  it('ignores what is not a whitelisted call', async () => {
    const name = newProfile();
    const l = leader(name);
    const raw = new BroadcastChannel(`p2p-chat:${name}:tabs`);
    cleanup.push(() => raw.close());
    raw.postMessage({ t: 'call', tab: 'x', id: 1, target: 'chat', method: 'on', args: [] });
    raw.postMessage({ t: 'call', tab: 'x', id: 2, target: 'node', method: 'node', args: [] });
    raw.postMessage('garbage');
    const v = view(name);
    await v.connected();
    await v.chat.setName('still fine');
    expect(l.chat.calls.filter((c) => c.method !== 'me').map((c) => c.method)).toEqual(['setName']);
  });
});

describe('facade', () => {
  it('keeps the app’s subscriptions when the view tab takes the node over', async () => {
    const name = newProfile();
    const l = leader(name);
    const v = view(name);
    await v.connected();
    const b = new TabBackend(name);
    let changes = 0;
    b.onChange(() => changes++);
    const events: string[] = [];
    b.chat.on('contact', (e) => events.push(`${e.state}`));
    expect(() => b.chat.me()).toThrow(ChatError);
    b.use('view', v.chat, v.net);
    expect(b.role).toBe('view');
    l.chat.addRequest('Carol');
    await expect.poll(() => events).toEqual(['pending']);
    const local = new FakeChatApi({ name: 'Alice' });
    b.use('node', local, new FakeNetApi({}));
    l.chat.addRequest('Dave');
    local.addRequest('Erin');
    expect(events).toEqual(['pending', 'pending']);
    expect(b.chat.requests().map((r) => r.name)).toEqual(['Erin']);
    expect(changes).toBe(2);
  });
});

/** Web Locks as the browser keeps them: one holder per name, a queue, released when the holder's document goes. */
class FakeLocks {
  private readonly held = new Set<string>();
  private readonly queue = new Map<string, Array<() => void>>();
  request(name: string, a: LockOptions | LockGrantedCallback<unknown>, b?: LockGrantedCallback<unknown>): Promise<unknown> {
    const opts = typeof a === 'function' ? {} : a;
    const cb = (typeof a === 'function' ? a : b)!;
    if (!this.held.has(name)) {
      this.held.add(name);
      return Promise.resolve(cb({ name, mode: 'exclusive' }));
    }
    if (opts.ifAvailable) return Promise.resolve(cb(null));
    return new Promise((resolve) => {
      const q = this.queue.get(name) ?? [];
      q.push(() => resolve(cb({ name, mode: 'exclusive' })));
      this.queue.set(name, q);
    });
  }
  /** The holder's tab closed. */
  drop(name: string): void {
    const next = this.queue.get(name)?.shift();
    if (next) next();
    else this.held.delete(name);
  }
}

describe('leader election', () => {
  it('the first tab runs the node; the next is a view until the first goes away', async () => {
    const locks = new FakeLocks();
    const a = claimNode('p', locks as unknown as LockManager);
    expect(await a.first).toBe(true);
    await a.granted;
    const b = claimNode('p', locks as unknown as LockManager);
    expect(await b.first).toBe(false);
    let bGranted = false;
    void b.granted.then(() => {
      bGranted = true;
    });
    const c = claimNode('p', locks as unknown as LockManager);
    expect(await c.first).toBe(false);
    await Promise.resolve();
    expect(bGranted).toBe(false);
    locks.drop('p2p-chat:p:node');
    await b.granted;
    expect(bGranted).toBe(true);
    expect(await claimNode('other', locks as unknown as LockManager).first).toBe(true);
  });

  it('without Web Locks every tab runs its own node', async () => {
    expect(await claimNode('p', undefined).first).toBe(true);
  });
});
