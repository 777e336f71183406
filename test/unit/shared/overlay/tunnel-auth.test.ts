/**
 * Tunnels with real Ed25519 node keys (ids = SHA-1 of the key): A reaches T only through R.
 * A relay can neither forge T's answer nor make T file an origin it does not own.
 */
import { describe, expect, it } from 'vitest';
import { DhtNode } from '../../../../shared/dht/node';
import { ed25519NodeAuth, type NodeAuth } from '../../../../shared/dht/node-auth';
import { idToHex } from '../../../../shared/dht/node-id';
import type { LookupPeer } from '../../../../shared/dht/peer';
import type { ResponseBody } from '../../../../shared/dht/rpc';
import type { DhtExtension } from '../../../../shared/dht/node';
import { generateKeyPair, nodeIdFromPublicKey } from '../../../../shared/crypto/ed25519';
import type { Transport } from '../../../../shared/env/transport';
import { OverlayRouter } from '../../../../shared/overlay/overlay-router';
import { RequestTunnel, tunnelRequestSignable } from '../../../../shared/overlay/tunnel';
import { encode, encodeBody, type Message, type RequestMessage } from '../../../../shared/protocol/wire';
import { IdList } from '../../../../shared/protocol/id-list';
import { MemoryHub, SeededRng } from '../../../helpers/dht';

/** A relay that answers every tunneled FIND_NODE itself, with made-up ids. */
class Forger implements DhtExtension {
  handle(_from: LookupPeer, msg: RequestMessage, reply: (res: ResponseBody) => void): boolean {
    if (msg.type !== 'tunnel') return false;
    const rid = new DataView(msg.inner.buffer, msg.inner.byteOffset).getUint32(2);
    const forged = encode({ type: 'nodes', rid, nodes: IdList.of([new Uint8Array(20).fill(7)]) });
    reply({ type: 'tunneled', answer: { pk: new Uint8Array(32).fill(1), sig: new Uint8Array(64).fill(2), inner: forged } });
    return true;
  }
}

/** A – R – T in a line; `forge`: R forges tunneled answers. */
function line(forge = false) {
  const hub = new MemoryHub();
  const keys = [1, 2, 3].map((i) => generateKeyPair(new Uint8Array(32).fill(i)));
  const ids = keys.map((k) => nodeIdFromPublicKey(k.publicKey));
  const hex = ids.map(idToHex);
  const adj = [new Set([hex[1]!]), new Set([hex[0]!, hex[2]!]), new Set([hex[1]!])];
  const auths: NodeAuth[] = keys.map(ed25519NodeAuth);
  const nodes = ids.map((id, i) => {
    const ep = hub.endpoint(hex[i]!);
    const t: Transport = { send: ep.send, onFrame: ep.onFrame, isConnected: (p) => adj[i]!.has(p) };
    const node = new DhtNode({ transport: t, clock: hub.clock, rng: new SeededRng(i + 1) }, { id, maintenance: false });
    if (forge && i === 1) node.use(new Forger());
    const router = new OverlayRouter(node, { connectedPeers: () => [...adj[i]!], deliver: () => {} });
    return { node, tunnel: new RequestTunnel(node, router, auths[i]!, { near: 0 }) };
  });
  return { hub, ids, hex, nodes, auths };
}

describe('RequestTunnel with Ed25519 node keys', () => {
  it('carries a signed request and a signed answer; the target files the proven origin', () => {
    const n = line();
    let res: Message | null | undefined;
    n.nodes[0]!.node.rpc.request({ id: n.ids[2]!, hex: n.hex[2]! }, { type: 'find_node', target: n.ids[1]! }, (r) => (res = r));
    n.hub.clock.runFor(2000);
    expect(res?.type).toBe('nodes');
    expect(n.nodes[0]!.node.rpc.counters.get('tunnel.sent')).toBe(1);
    expect(n.nodes[2]!.tunnel.counters.get('delivered')).toBe(1);
    expect(n.nodes[2]!.node.table.get(n.ids[0]!)).toBeDefined();
  });

  it("a relay's forged answer is refused without charging the target, and asked again around the relay", () => {
    const n = line(true);
    n.nodes[0]!.node.table.observe(n.ids[2]!, n.hex[2]!, 0);
    let res: Message | null | undefined;
    let at = -1;
    n.nodes[0]!.node.rpc.request({ id: n.ids[2]!, hex: n.hex[2]! }, { type: 'find_node', target: n.ids[1]! }, (r) => {
      res = r;
      at = n.hub.clock.now();
    });
    n.hub.clock.runFor(10_000);
    // R was A's only link and is now suspect: the retry goes direct (the hub needs no dial) and
    // gets T's real answer, never the forged id.
    expect(res?.type).toBe('nodes');
    expect(res?.type === 'nodes' ? res.nodes.toArray().map(idToHex) : []).not.toContain(idToHex(new Uint8Array(20).fill(7)));
    expect(at).toBeLessThan(500);
    expect(n.nodes[0]!.tunnel.counters.get('answer.forged')).toBe(1);
    expect(n.nodes[0]!.node.rpc.counters.get('tunnel.retried')).toBe(1);
    expect(n.nodes[0]!.node.table.get(n.ids[2]!)!.failures).toBe(0);
    expect(n.nodes[0]!.node.table.get(new Uint8Array(20).fill(7))).toBeUndefined();
  });

  it('the target files no origin a relay made up, signed by nobody or by the relay itself', () => {
    const n = line();
    const [r, t] = [n.hex[1]!, n.hex[2]!];
    const fake = new Uint8Array(20).fill(9);
    const inner = encodeBody({ type: 'ping' }, 5);
    const frames: Message[] = [
      { type: 'tunnel', rid: 1, target: n.ids[2]!, ttl: 4, origin: fake, pk: new Uint8Array(32), sig: new Uint8Array(64), inner },
      // The relay's own valid signature, over a made-up origin: the key does not own that id.
      {
        type: 'tunnel',
        rid: 2,
        target: n.ids[2]!,
        ttl: 4,
        origin: fake,
        pk: n.auths[1]!.publicKey,
        sig: n.auths[1]!.sign(tunnelRequestSignable(n.ids[2]!, fake, inner)),
        inner,
      },
    ];
    for (const f of frames) n.hub.inject(r, t, encode(f));
    n.hub.clock.runFor(1000);
    const c = n.nodes[2]!.tunnel.counters;
    expect(c.get('drop.inner.bad_signature')).toBe(2);
    expect(c.get('delivered')).toBe(0);
    expect(n.nodes[2]!.node.table.get(fake)).toBeUndefined();
  });
});
