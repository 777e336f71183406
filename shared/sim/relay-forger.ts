/**
 * Malicious relays for the simulator, as a DhtExtension registered ahead of the overlay so it sees
 * every TUNNEL first. A relay that is not the target answers in the target's name instead of
 * forwarding: NODES and VALUE answers list attacker ids closest to the looked-up target, a STORE
 * is "stored", a PING is a PONG. As the target of a tunnel it behaves honestly. It also injects
 * contacts: TUNNEL requests to its linked peers whose `origin` is an id nobody owns.
 */
import { Counters } from '../dht/counters';
import type { DhtExtension, DhtNode } from '../dht/node';
import { compareDistance, idToHex, type NodeId } from '../dht/node-id';
import type { LookupPeer } from '../dht/peer';
import type { ResponseBody } from '../dht/rpc';
import { IdList } from '../protocol/id-list';
import { decode, encode, encodeBody, isRequest, type Message, type RequestMessage } from '../protocol/wire';
import type { Rng } from '../env/rng';

export class ForgerShared {
  readonly members = new Map<string, NodeId>();
  readonly counters = new Counters();
  /** Ids injected as tunnel origins (owned by no node). */
  readonly injected = new Set<string>();

  /** The attacker ids closest to `target`, at most n. */
  closest(target: NodeId, n: number): NodeId[] {
    return [...this.members.values()].sort((a, b) => compareDistance(a, b, target)).slice(0, n);
  }
}

export class RelayForger implements DhtExtension {
  constructor(
    readonly node: DhtNode,
    readonly shared: ForgerShared,
    private readonly rng: Rng,
  ) {
    shared.members.set(node.hex, node.id);
    node.use(this);
  }

  handle(_from: LookupPeer, msg: RequestMessage, reply: (res: ResponseBody) => void): boolean {
    if (msg.type !== 'tunnel' || compareDistance(msg.target, this.node.id, msg.target) === 0) return false;
    let req: Message;
    try {
      req = decode(msg.inner);
    } catch {
      return false;
    }
    if (!isRequest(req)) return false;
    const c = this.shared.counters;
    const nodesFor = (t: NodeId) => IdList.of(this.shared.closest(t, this.node.k));
    let forged: Message | undefined;
    switch (req.type) {
      case 'find_node':
        forged = { type: 'nodes', rid: req.rid, nodes: nodesFor(req.target) };
        break;
      case 'find_value':
        forged = { type: 'value', rid: req.rid, nodes: nodesFor(req.target) };
        break;
      case 'store':
        forged = { type: 'stored', rid: req.rid, seq: req.record.type === 'mutable' ? req.record.seq : 0 };
        break;
      case 'ping':
        forged = { type: 'pong', rid: req.rid };
        break;
      default:
        return false;
    }
    c.inc(`forged.${req.type}`);
    // Signed by nobody who owns the target's id: the best a relay can do without its key.
    reply({ type: 'tunneled', answer: { pk: this.rng.bytes(32), sig: this.rng.bytes(64), inner: encode(forged) } });
    return true;
  }

  /**
   * Inject `count` made-up contacts into `victim` (a peer we hold a connection to): tunneled PINGs
   * addressed to it whose origins are ids near the victim that no node owns.
   */
  inject(victim: LookupPeer, count: number, rng: Rng): void {
    for (let i = 0; i < count; i++) {
      const origin = rng.bytes(20);
      origin.set(victim.id.subarray(0, 2)); // near the victim: its deepest buckets
      const hex = idToHex(origin);
      this.shared.injected.add(hex);
      this.shared.counters.inc('injected');
      const inner = encodeBody({ type: 'ping' }, rng.int(2 ** 32));
      const body = { type: 'tunnel' as const, target: victim.id, ttl: 8, origin, pk: rng.bytes(32), sig: rng.bytes(64), inner };
      this.node.rpc.request(victim, body, () => {}, { direct: true, blameless: true });
    }
  }
}
