import { describe, expect, it } from 'vitest';
import { DhtNode } from '../../../../shared/dht/node';
import { LinkKeeper, type LinkKeeperInit } from '../../../../shared/overlay/link-keeper';
import { commonPrefixLength, idToHex, type NodeId } from '../../../../shared/dht/node-id';
import { decode, encode, type Message } from '../../../../shared/protocol/wire';
import type { PeerId, Transport } from '../../../../shared/env/transport';
import { idOf, idWith, MemoryHub, SeededRng } from '../../../helpers/dht';

/** One keeper node on a hub; every other id answers LINK with `accept(peer)`. */
function setup(contacts: NodeId[], init: LinkKeeperInit, accept: (peer: PeerId) => boolean = () => true) {
  const hub = new MemoryHub();
  const self = idOf('00');
  const me = idToHex(self);
  const connected = new Set<PeerId>();
  const t: Transport = { ...hub.endpoint(me), isConnected: (p) => connected.has(p) };
  const node = new DhtNode({ transport: t, clock: hub.clock, rng: new SeededRng(7) }, { id: self, maintenance: false });
  for (const c of contacts) {
    const hex = idToHex(c);
    node.table.observe(c, hex, 0);
    const ep = hub.endpoint(hex);
    ep.onFrame((from, frame) => {
      const m = decode(frame);
      connected.add(hex); // the dial opened the connection
      if (m.type === 'link') ep.send(from, encode({ type: 'linked', rid: m.rid, accepted: accept(hex) }));
      else if (m.type === 'ping') ep.send(from, encode({ type: 'pong', rid: m.rid }));
    });
  }
  let wanted: ReadonlySet<PeerId> = new Set();
  const keeper = new LinkKeeper(
    node,
    { connectedPeers: () => connected, isConnected: (p) => connected.has(p), setWanted: (w) => (wanted = w) },
    init,
  );
  const asked = () => hub.log.filter((f) => f.from === me && decode(f.frame).type === 'link').map((f) => f.to);
  return { hub, node, keeper, connected, wanted: () => wanted, asked, me };
}

describe('LinkKeeper', () => {
  it('links the closest contacts and one contact per farther level, and protects them', () => {
    // Two neighbours (level 7 and 6) and three contacts on each of levels 0, 1, 2.
    const near = [idWith([0x01], 1), idWith([0x02], 2)];
    const far = [0x80, 0x81, 0x90, 0x40, 0x41, 0x50, 0x20, 0x21, 0x30].map((b, i) => idWith([b], 10 + i));
    const s = setup([...near, ...far], { near: 2, far: 3 });
    s.keeper.maintain();
    s.hub.clock.runFor(1000);
    const w = [...s.wanted()];
    for (const n of near) expect(w).toContain(idToHex(n));
    const levels = w.filter((h) => !near.map(idToHex).includes(h)).map((h) => commonPrefixLength(idOf('00'), idOf(h)));
    expect(levels.sort()).toEqual([0, 1, 2]);
    expect(s.asked().sort()).toEqual(w.sort());
  });

  it('keeps a link it holds instead of switching to another contact of the same level', () => {
    const far = [0x80, 0x81, 0x90, 0xa0].map((b, i) => idWith([b], i));
    const s = setup(far, { near: 0, far: 1 });
    s.keeper.maintain();
    s.hub.clock.runFor(1000);
    const first = [...s.wanted()];
    expect(first).toHaveLength(1);
    // Another contact of that level becomes connected (someone dialed us): the link stays.
    s.connected.add(idToHex(far.find((f) => idToHex(f) !== first[0])!));
    s.keeper.maintain();
    s.hub.clock.runFor(1000);
    expect([...s.wanted()]).toEqual(first);
    expect(s.asked()).toHaveLength(1); // confirmed recently: no renewal yet
  });

  it('picks another contact of the level when one refuses, and renews accepted links', () => {
    const far = [0x80, 0x81].map((b, i) => idWith([b], i));
    let refuser: string | undefined; // the first contact asked says no
    const s = setup(far, { near: 0, far: 1, renewMs: 10_000, intervalMs: 1000 }, (p) => {
      refuser ??= p;
      return refuser !== p;
    });
    s.keeper.maintain();
    s.hub.clock.runFor(1000);
    s.keeper.maintain();
    s.hub.clock.runFor(1000);
    const w = [...s.wanted()];
    expect(w).toHaveLength(1);
    expect(s.keeper.counters.get('link.refused')).toBe(1);
    const other = far.map(idToHex).find((h) => h !== refuser)!;
    expect(w[0]).toBe(other);
    const before = s.asked().length;
    s.hub.clock.runFor(11_000);
    s.keeper.maintain();
    s.hub.clock.runFor(1000);
    expect(s.asked().length).toBe(before + 1);
    expect(s.asked().at(-1)).toBe(other);
  });

  it('accepts links others ask for up to maxInbound, refuses beyond, and lets them go or lapse', () => {
    const s = setup([], { near: 0, far: 0, maxInbound: 2, renewMs: 10_000 });
    const askers = [0x80, 0x40, 0x20].map((b, i) => idToHex(idWith([b], i)));
    const answers = new Map<string, boolean>();
    for (const a of askers) {
      s.connected.add(a);
      const ep = s.hub.endpoint(a);
      ep.onFrame((_f, frame) => {
        const m = decode(frame) as Message;
        if (m.type === 'linked') answers.set(`${a}:${m.rid}`, m.accepted);
      });
    }
    const ask = (a: string, rid: number, keep = true) => s.hub.inject(a, s.me, encode({ type: 'link', rid, keep }));
    askers.forEach((a, i) => {
      ask(a, i);
    });
    s.hub.clock.runFor(100);
    expect(askers.map((a, i) => answers.get(`${a}:${i}`))).toEqual([true, true, false]);
    expect([...s.wanted()].sort()).toEqual(askers.slice(0, 2).sort());
    // One lets go: the third now fits.
    ask(askers[0]!, 10, false);
    ask(askers[2]!, 11);
    s.hub.clock.runFor(100);
    expect(answers.get(`${askers[2]}:11`)).toBe(true);
    // Not renewed for 2 × renewMs: lapsed at the next check.
    s.hub.clock.runFor(21_000);
    s.keeper.maintain();
    expect(s.wanted().size).toBe(0);
    // A LINK through the overlay (no direct connection) only reserves a slot, for 30 s.
    const stranger = idToHex(idWith([0x10], 9));
    s.hub.endpoint(stranger).onFrame((_f, frame) => {
      const m = decode(frame) as Message;
      if (m.type === 'linked') answers.set('stranger', m.accepted);
    });
    s.hub.inject(stranger, s.me, encode({ type: 'link', rid: 1, keep: true }));
    s.hub.clock.runFor(100);
    expect(answers.get('stranger')).toBe(true);
    expect(s.wanted().has(stranger)).toBe(true);
    expect(s.keeper.counters.get('link.reserved')).toBe(1);
    s.hub.clock.runFor(31_000);
    s.keeper.maintain();
    expect(s.wanted().has(stranger)).toBe(false);
  });
});
