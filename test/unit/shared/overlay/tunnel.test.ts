import { describe, expect, it } from 'vitest';
import { DhtNode } from '../../../../shared/dht/node';
import { OverlayRouter } from '../../../../shared/overlay/overlay-router';
import { RequestTunnel, tunnelRequestSignable } from '../../../../shared/overlay/tunnel';
import { SimKeyring } from '../../../../shared/sim/sim-auth';
import type { NodeAuth } from '../../../../shared/dht/node-auth';
import { idToHex, type NodeId } from '../../../../shared/dht/node-id';
import { encode, decode, type Message } from '../../../../shared/protocol/wire';
import type { Transport } from '../../../../shared/env/transport';
import { idOf, MemoryHub, peerOf, SeededRng } from '../../../helpers/dht';

/** Nodes on an in-memory hub; `links` are the open connections (the only direct paths used). */
function net(ids: NodeId[], links: [number, number][], near = 0) {
  const hub = new MemoryHub();
  const keyring = new SimKeyring(new SeededRng(99));
  const auths = ids.map((id) => keyring.auth(id));
  const hex = ids.map(idToHex);
  const adj = hex.map(() => new Set<string>());
  for (const [a, b] of links) {
    adj[a]!.add(hex[b]!);
    adj[b]!.add(hex[a]!);
  }
  const nodes = ids.map((id, i) => {
    const t: Transport = { ...hub.endpoint(hex[i]!), isConnected: (p) => adj[i]!.has(p) };
    const ep = hub.endpoint(hex[i]!);
    t.send = ep.send;
    t.onFrame = ep.onFrame;
    const node = new DhtNode({ transport: t, clock: hub.clock, rng: new SeededRng(i + 1) }, { id, maintenance: false });
    const router = new OverlayRouter(node, { connectedPeers: () => [...adj[i]!], deliver: () => {} });
    const tunnel = new RequestTunnel(node, router, auths[i]!, { near });
    return { node, tunnel };
  });
  const direct = (a: number, b: number) =>
    hub.log.filter((f) => (f.from === hex[a] && f.to === hex[b]) || (f.from === hex[b] && f.to === hex[a])).length;
  return { hub, hex, nodes, direct, auths };
}

/** A tunnel frame signed by `auth` (the origin's key). */
function signed(auth: NodeAuth, rid: number, target: NodeId, ttl: number, origin: NodeId, inner: Uint8Array): Message {
  return {
    type: 'tunnel',
    rid,
    target,
    ttl,
    origin,
    pk: auth.publicKey,
    sig: auth.sign(tunnelRequestSignable(target, origin, inner)),
    inner,
  };
}

describe('RequestTunnel', () => {
  it('carries a request to a peer we hold no connection to, hop by hop, and brings the answer back', () => {
    // 0xf0 - 0x40 - 0x10 - 0x01: each hop closer to 0x01 by XOR.
    const n = net(
      [idOf('f0'), idOf('40'), idOf('10'), idOf('01'), idOf('02')],
      [
        [0, 1],
        [1, 2],
        [2, 3],
        [3, 4],
      ],
    );
    n.nodes[3]!.node.table.observe(idOf('02'), idToHex(idOf('02')), 0);
    let res: Message | null | undefined;
    n.nodes[0]!.node.rpc.request(peerOf(idOf('01')), { type: 'find_node', target: idOf('03') }, (r) => (res = r));
    n.hub.clock.runFor(2000);
    expect(res?.type).toBe('nodes');
    expect(res && res.type === 'nodes' ? res.nodes.toArray().map(idToHex) : []).toContain(idToHex(idOf('02')));
    // Not one frame went directly between the two ends.
    expect(n.direct(0, 3)).toBe(0);
    expect(n.nodes[0]!.node.rpc.counters.get('tunnel.sent')).toBe(1);
    expect(n.nodes[1]!.tunnel.counters.get('relay.forwarded')).toBe(1);
    expect(n.nodes[3]!.tunnel.counters.get('delivered')).toBe(1);
    // The target learned the requester like any other (it files origins of tunneled requests).
    expect(n.nodes[3]!.node.table.get(idOf('f0'))).toBeDefined();
    // The path's round trip feeds the tunnel estimate, not the contact's own RTT.
    expect(n.nodes[0]!.node.rpc.tunnelRtt.srtt).toBeGreaterThan(0);
  });

  it('fails fast when the overlay has no path to the peer, and charges the peer', () => {
    // 0x01 exists only as a name: nobody is connected to it.
    const n = net(
      [idOf('f0'), idOf('40'), idOf('10')],
      [
        [0, 1],
        [1, 2],
      ],
    );
    n.nodes[0]!.node.table.observe(idOf('01'), idToHex(idOf('01')), 0);
    let res: Message | null | undefined;
    let at = 0;
    n.nodes[0]!.node.rpc.request(peerOf(idOf('01')), { type: 'ping' }, (r) => {
      res = r;
      at = n.hub.clock.now();
    });
    n.hub.clock.runFor(10_000);
    expect(res).toBeNull();
    expect(at).toBeLessThan(200); // a few hops of 10 ms, not a timeout
    expect(n.nodes[0]!.node.rpc.counters.get('tunnel.undelivered')).toBe(1);
    expect(n.nodes[2]!.tunnel.counters.get('relay.no_path')).toBe(1);
    expect(n.nodes[0]!.node.table.get(idOf('01'))!.failures).toBe(1);
  });

  it('sends directly to connected peers and to neighbours within `near`', () => {
    const n = net([idOf('f0'), idOf('40'), idOf('f1')], [[0, 1]], 1);
    n.nodes[0]!.node.table.observe(idOf('f1'), idToHex(idOf('f1')), 0);
    n.nodes[0]!.node.table.observe(idOf('40'), idToHex(idOf('40')), 0);
    let ok = 0;
    n.nodes[0]!.node.rpc.request(peerOf(idOf('40')), { type: 'ping' }, (r) => void (r && ok++));
    // 0xf1 is our closest contact: a neighbour, dialed directly though not connected.
    n.nodes[0]!.node.rpc.request(peerOf(idOf('f1')), { type: 'ping' }, (r) => void (r && ok++));
    n.hub.clock.runFor(1000);
    expect(ok).toBe(2);
    expect(n.direct(0, 2)).toBe(2);
    expect(n.nodes[0]!.node.rpc.counters.get('tunnel.sent')).toBe(0);
  });

  it('drops garbage and nested tunnels with a counted reason, and carries a LINK (a reservation)', () => {
    const n = net([idOf('f0'), idOf('01')], [[0, 1]]);
    const [a, b] = [n.hex[0]!, n.hex[1]!];
    const answers: Message[] = [];
    n.nodes[0]!.node.components.transport.onFrame((_from, frame) => answers.push(decode(frame)));
    const tunnel = (rid: number, inner: Uint8Array) => encode(signed(n.auths[0]!, rid, idOf('01'), 4, idOf('f0'), inner));
    n.hub.inject(a, b, tunnel(1, new Uint8Array([1, 2, 3])));
    n.hub.inject(a, b, tunnel(2, encode(signed(n.auths[0]!, 9, idOf('01'), 4, idOf('f0'), new Uint8Array(0)))));
    n.hub.inject(a, b, tunnel(3, encode({ type: 'link', rid: 9, keep: true })));
    n.hub.inject(a, b, tunnel(4, encode({ type: 'pong', rid: 9 })));
    n.hub.clock.runFor(1000);
    expect(answers.map((m) => [m.rid, m.type === 'tunneled' && m.answer !== undefined])).toEqual([
      [1, false],
      [2, false],
      [3, true], // delivered: this node has no LinkKeeper, so the answer inside is an error
      [4, false],
    ]);
    const c = n.nodes[1]!.tunnel.counters;
    expect(c.get('drop.inner.TRUNCATED') + c.get('drop.inner.BAD_VERSION')).toBe(1);
    expect(c.get('drop.inner.not_a_request')).toBe(2);
    expect(c.get('delivered')).toBe(1);
  });

  it('stops at the ttl', () => {
    const n = net(
      [idOf('f0'), idOf('40'), idOf('10'), idOf('01')],
      [
        [0, 1],
        [1, 2],
        [2, 3],
      ],
    );
    const answers: Message[] = [];
    n.nodes[0]!.node.components.transport.onFrame((_from, frame) => answers.push(decode(frame)));
    n.hub.inject(n.hex[0]!, n.hex[1]!, encode(signed(n.auths[0]!, 5, idOf('01'), 1, idOf('f0'), encode({ type: 'ping', rid: 1 }))));
    n.hub.clock.runFor(1000);
    expect(answers).toEqual([{ type: 'tunneled', rid: 5 }]);
    expect(n.nodes[1]!.tunnel.counters.get('relay.ttl')).toBe(1);
  });
});
