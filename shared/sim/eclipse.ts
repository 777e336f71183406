/**
 * Eclipse attackers for the simulator: nodes whose ids were ground to sit closest to one key, as a
 * DhtExtension registered instead of the honest record layer. They route honestly (PING and
 * FIND_NODE are answered by the node) and attack only the record layer, in one of three modes:
 *   - `drop`: answer STORE with 'stored' and keep nothing; answer FIND_VALUE with no record;
 *   - `stale`: the same, but answer FIND_VALUE with the oldest genuine record seen;
 *   - `silent`: never answer FIND_VALUE or STORE.
 * Every attacker counts what it did in the shared counters.
 */
import { bytesToHex } from '../crypto/bytes';
import { Counters } from '../dht/counters';
import type { DhtExtension, DhtNode } from '../dht/node';
import type { LookupPeer } from '../dht/peer';
import type { ResponseBody } from '../dht/rpc';
import type { RequestMessage } from '../protocol/wire';
import type { MutableRecord } from '../records/types';
import type { Rng } from '../env/rng';
import type { NodeId } from '../dht/node-id';

export type EclipseMode = 'drop' | 'stale' | 'silent';
export const ECLIPSE_MODES: readonly EclipseMode[] = ['drop', 'stale', 'silent'];

/** What eclipse attackers know and count together: the oldest genuine record of each target. */
export class EclipseShared {
  readonly members = new Set<string>();
  readonly counters = new Counters();
  private readonly oldest = new Map<string, MutableRecord>();

  observe(target: string, rec: MutableRecord): void {
    const o = this.oldest.get(target);
    if (!o || rec.seq < o.seq) this.oldest.set(target, rec);
  }

  oldestOf(target: string): MutableRecord | undefined {
    return this.oldest.get(target);
  }
}

export class EclipseAttacker implements DhtExtension {
  constructor(
    readonly node: DhtNode,
    readonly shared: EclipseShared,
    readonly mode: EclipseMode,
  ) {
    shared.members.add(node.hex);
  }

  handle(from: LookupPeer, msg: RequestMessage, reply: (res: ResponseBody) => void): boolean {
    const c = this.shared.counters;
    if (msg.type === 'find_value') {
      if (this.mode === 'silent') {
        c.inc('find_value.silent');
        return true;
      }
      const nodes = this.node.closestIds(msg.target, from.hex);
      const stale = this.mode === 'stale' ? this.shared.oldestOf(bytesToHex(msg.target)) : undefined;
      c.inc(stale ? 'find_value.stale' : 'find_value.empty');
      reply(stale ? { type: 'value', record: stale, nodes } : { type: 'value', nodes });
      return true;
    }
    if (msg.type === 'store') {
      if (msg.record.type === 'mutable') this.shared.observe(bytesToHex(msg.target), msg.record);
      if (this.mode === 'silent') {
        c.inc('store.silent');
        return true;
      }
      c.inc('store.dropped');
      reply({ type: 'stored', seq: msg.record.type === 'mutable' ? msg.record.seq : 0 });
      return true;
    }
    return false;
  }
}

/**
 * An id that shares its first `prefixBits` bits with `target` and is random after them: what
 * grinding keys buys (20 ids sharing 12 bits with a target took 10 s on one core).
 */
export function groundId(target: NodeId, prefixBits: number, rng: Rng): NodeId {
  const id = rng.bytes(20);
  for (let i = 0; i < prefixBits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    id[byte] = (id[byte]! & ~mask) | (target[byte]! & mask);
  }
  return id;
}
