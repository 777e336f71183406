/**
 * Two chat users on a simulated records network who have become contacts (Bob added Alice's
 * address, Alice accepted), with the helpers the chat sim tests share: a condition wait on the
 * virtual clock that names the seed, and a user going away (crash) and coming back with its store.
 */
import { hexToBytes } from '../../shared/crypto/bytes';
import { runAsync, settleAsync } from '../../shared/sim/async-driver';
import { openSimUser, type SimUser } from '../../shared/sim/chat-users';
import { createRecordsTestnet } from '../../shared/sim/records-testnet';

export interface SimContacts {
  rt: ReturnType<typeof createRecordsTestnet>;
  clock: ReturnType<typeof createRecordsTestnet>['clock'];
  alice: SimUser;
  bob: SimUser;
  /** Run the clock until `cond` holds; throws after `maxMs` of virtual time, naming `what` and the seed. */
  until(cond: () => boolean | Promise<boolean>, maxMs: number, what: string): Promise<void>;
  /** The user's node crashes and its chat closes (its store is kept). */
  away(u: SimUser): void;
  /**
   * The user comes back on a new peer with the same node key and store, and starts once joined
   * (with `join: false`, neither joins nor starts: the test drives it).
   */
  back(u: SimUser, index: number, opts?: { join?: boolean }): Promise<SimUser>;
}

export async function simContacts(seed: number, opts: { nodes: number; alicePeer?: number; bobPeer: number }): Promise<SimContacts> {
  const rt = createRecordsTestnet(opts.nodes, { seed });
  const clock = rt.clock;
  const rng = rt.tn.rng.fork();
  const until = async (cond: () => boolean | Promise<boolean>, maxMs: number, what: string) => {
    const end = clock.now() + maxMs;
    while (!(await cond())) {
      if (clock.now() > end) throw new Error(`timed out: ${what} (seed ${seed})`);
      await runAsync(clock, 500);
    }
  };
  const alice = await openSimUser(rt.peers[opts.alicePeer ?? 5]!, 0, rng, { name: 'Alice' });
  const bob = await openSimUser(rt.peers[opts.bobPeer]!, 1, rng, { name: 'Bob' });
  alice.chat.start();
  bob.chat.start();
  await runAsync(clock, 20_000);
  await settleAsync(clock, bob.chat.people.addContact(alice.chat.address()));
  await until(() => alice.chat.people.requests().length === 1, 120_000, 'request');
  await settleAsync(clock, alice.chat.people.accept(bob.chat.id));
  return {
    rt,
    clock,
    alice,
    bob,
    until,
    away(u) {
      u.chat.close();
      rt.remove(u.peer, 'crash');
    },
    async back(u, index, opts = {}) {
      const peer = rt.addPeer(hexToBytes(u.peer.node.hex));
      const again = await openSimUser(peer, index, rng, {}, u.store);
      if (opts.join !== false) rt.join(peer, () => again.chat.start());
      return again;
    },
  };
}
