import { describe, expect, it } from 'vitest';
import { DhtNode } from '../../../../shared/dht/node';
import { OverlayRouter } from '../../../../shared/overlay/overlay-router';
import { idToHex, type NodeId } from '../../../../shared/dht/node-id';
import { idOf, MemoryHub, SeededRng } from '../../../helpers/dht';

/** Nodes on an in-memory hub; `links` says who is "connected" to whom (the overlay graph). */
function net(ids: NodeId[], links: [number, number][]) {
  const hub = new MemoryHub();
  const hex = ids.map(idToHex);
  const adj = hex.map(() => new Set<string>());
  for (const [a, b] of links) {
    adj[a]!.add(hex[b]!);
    adj[b]!.add(hex[a]!);
  }
  const delivered = hex.map(() => [] as Uint8Array[]);
  const routers = ids.map((id, i) => {
    const node = new DhtNode({ transport: hub.endpoint(hex[i]!), clock: hub.clock, rng: new SeededRng(i + 1) }, { id, maintenance: false });
    return new OverlayRouter(node, { connectedPeers: () => [...adj[i]!], deliver: (p) => delivered[i]!.push(p) });
  });
  return { hub, hex, routers, delivered };
}

describe('OverlayRouter', () => {
  it('routes greedily, each hop strictly closer, and reports delivery back to the sender', () => {
    // Target 0x01; chain 0xf0 -> 0x40 -> 0x10 -> 0x01 (each closer by XOR).
    const n = net(
      [idOf('f0'), idOf('40'), idOf('10'), idOf('01')],
      [
        [0, 1],
        [1, 2],
        [2, 3],
      ],
    );
    let ok: boolean | undefined;
    n.routers[0]!.forward(n.hex[3]!, new Uint8Array([7]), (d) => (ok = d));
    n.hub.clock.runFor(1000);
    expect(ok).toBe(true);
    expect(n.delivered[3]!.map((p) => [...p])).toEqual([[7]]);
    expect(n.routers[0]!.counters.get('route.sent')).toBe(1);
    expect(n.routers[0]!.counters.get('route.relay')).toBe(0);
  });

  it('a sender with no closer connected peer relays through its connected peer nearest the target', () => {
    // Sender 0x0e is the target 0x0f's closest node but is not connected to it; 0x0c is (a neighbour).
    // 0x0c is farther from 0x0f than 0x0e, so greedy routing alone has no first hop.
    const n = net(
      [idOf('0e'), idOf('0c'), idOf('0f'), idOf('f0')],
      [
        [0, 1],
        [0, 3],
        [1, 2],
      ],
    );
    let ok: boolean | undefined;
    n.routers[0]!.forward(n.hex[2]!, new Uint8Array([9]), (d) => (ok = d));
    n.hub.clock.runFor(1000);
    expect(ok).toBe(true);
    expect(n.delivered[2]!).toHaveLength(1);
    expect(n.routers[0]!.counters.get('route.relay')).toBe(1);
    // Relays themselves never step away from the target: 0xf0 was not used.
    expect(n.routers[3]!.counters.get('relay.forwarded')).toBe(0);
  });

  it('no connected peer at all: no route, reported at once', () => {
    const n = net([idOf('0e'), idOf('0f')], []);
    let ok: boolean | undefined;
    expect(n.routers[0]!.canRoute(n.hex[1]!)).toBe(false);
    n.routers[0]!.forward(n.hex[1]!, new Uint8Array([1]), (d) => (ok = d));
    expect(ok).toBe(false);
    expect(n.routers[0]!.counters.get('route.no_path')).toBe(1);
  });

  it('a relay with no closer peer answers not delivered (no loops), and ttl bounds the path', () => {
    // 0x80 relays toward 0x01 but its only other link (0xc0) is farther: not delivered.
    const n = net(
      [idOf('f0'), idOf('80'), idOf('c0'), idOf('01')],
      [
        [0, 1],
        [1, 2],
      ],
    );
    let ok: boolean | undefined;
    n.routers[0]!.forward(n.hex[3]!, new Uint8Array([1]), (d) => (ok = d));
    n.hub.clock.runFor(1000);
    expect(ok).toBe(false);
    expect(n.routers[1]!.counters.get('relay.no_path')).toBe(1);
    expect(n.delivered[3]!).toHaveLength(0);
  });
});
