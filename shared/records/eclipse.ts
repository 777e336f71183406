/**
 * Eclipse detection for the values layer: spotting a cluster of ids ground around a key (far
 * denser than the network is around us, VALUES_DEFAULTS.clusterBits), and the replica roots, a
 * second storage point a widened put stores on and a widened get asks.
 */
import { VALUES_DEFAULTS } from './constants';
import { concatBytes, utf8 } from '../crypto/bytes';
import { sha1 } from '../crypto/ed25519';
import type { LookupResult } from '../dht/lookup/lookup';
import type { LookupPeer } from '../dht/peer';
import { commonPrefixLength, type NodeId } from '../dht/node-id';
import type { DhtNode } from '../dht/node';

/**
 * Eclipse check: how many of `closest` sit in a cluster around `target` far denser than the
 * network is around `node` (VALUES_DEFAULTS.clusterBits); 0 when they do not look ground.
 */
export function clusterSize(node: DhtNode, target: NodeId, closest: readonly LookupPeer[]): number {
  const deep = clusterDepth(node);
  if (deep === undefined) return 0;
  const c = countDeep(target, closest, deep);
  return c > VALUES_DEFAULTS.clusterMin ? c : 0;
}

/** Leading bits shared with a key that mark a ground cluster; undefined while `node`'s table is thin. */
function clusterDepth(node: DhtNode): number | undefined {
  const k = node.k;
  const own = node.table.closest(node.id, k);
  if (own.length < k) return undefined;
  return commonPrefixLength(node.id, own[own.length - 1]!.id) + VALUES_DEFAULTS.clusterBits;
}

/** How many of `peers` share at least `bits` leading bits with `target`. */
function countDeep(target: NodeId, peers: readonly LookupPeer[], bits: number): number {
  let c = 0;
  for (const p of peers) if (commonPrefixLength(p.id, target) >= bits) c++;
  return c;
}

/**
 * The closest nodes to replica root `i` of `target` (and on: the first root whose closest are
 * not a ground cluster, up to VALUES_DEFAULTS.replicaRoots), or undefined.
 */
export function findReplicaRoot(node: DhtNode, target: NodeId, i: number, cb: (r: LookupResult | undefined) => void): void {
  if (i > VALUES_DEFAULTS.replicaRoots) return cb(undefined);
  const root = replicaRootOf(target, i);
  node.lookup(root, (r) => (clusterSize(node, root, r.closest) === 0 ? cb(r) : findReplicaRoot(node, target, i + 1, cb)));
}

const REPLICA_ROOT_TAG = utf8.encode('p2p-chat/replica-root/');

/**
 * Replica root `i` of `target`: SHA-1(tag ‖ i ‖ target), a second place in the id space that
 * holds a key's record when the ids closest to the key are ground. Anyone can compute it, so an
 * attacker must grind a second cluster for it, and a third for the next.
 */
export function replicaRootOf(target: NodeId, i: number): NodeId {
  return sha1(concatBytes(REPLICA_ROOT_TAG, Uint8Array.of(i), target));
}
