/**
 * S/Kademlia's disjoint lookups (Baumgart and Mies 2007, section 4.4), as an experiment for the
 * eclipse scenario (`npm run sim -- --scenario eclipse --disjoint D`). A put or get runs D lookups
 * for the key that share no node, one after another: each starts from our own contacts that no
 * earlier path asked, and admits no id an earlier path asked. A put stores on each path's closest
 * `replicas`; a get reads along every path and keeps the newest valid record. No replica roots.
 * The values layer does not use this; docs/dht-design.md says what it measured and why.
 */
import type { LookupResult, QueryFn } from '../dht/lookup/lookup';
import { idToHex, type NodeId } from '../dht/node-id';
import type { DhtNode } from '../dht/node';
import { recordTarget } from '../records/bep44';
import { selectRecord, validateRecord } from '../records/policy';
import type { DhtRecord } from '../records/types';

/** `d` node-disjoint lookups for `target` (fewer if our contacts run out); requests plus answers in `messages`. */
export function disjointLookups<V>(
  node: DhtNode,
  target: NodeId,
  d: number,
  query: QueryFn<V>,
  opts: { quorum?: number },
  cb: (paths: LookupResult[], messages: number) => void,
): void {
  const used = new Set<string>();
  const paths: LookupResult[] = [];
  let messages = 0;
  const counted: QueryFn<V> = (peer, done) => {
    used.add(peer.hex);
    messages++;
    query(peer, (outcome) => {
      if (outcome) messages++;
      done(outcome);
    });
  };
  const next = (): void => {
    if (paths.length === d) return cb(paths, messages);
    const seeds = node.table
      .closest(target, node.k * (d + 1))
      .filter((p) => !used.has(p.hex))
      .slice(0, node.k);
    if (seeds.length === 0) return cb(paths, messages);
    const admit = (id: NodeId) => !used.has(idToHex(id));
    const done = (r: LookupResult): void => {
      paths.push(r);
      next();
    };
    node.lookup<V>(target, done, { ...opts, seeds, query: counted, admit });
  };
  next();
}

/** Store `record` on the closest `replicas` of each of `d` disjoint paths: how many took it, and the messages. */
export function disjointPut(
  node: DhtNode,
  record: DhtRecord,
  d: number,
  replicas: number,
  cb: (stored: number, messages: number) => void,
): void {
  const target = recordTarget(record);
  const findNode: QueryFn<never> = (peer, done) =>
    node.rpc.request(peer, { type: 'find_node', target }, (res) => done(res?.type === 'nodes' ? { closer: res.nodes } : null));
  disjointLookups(node, target, d, findNode, {}, (paths, messages) => {
    const peers = paths.flatMap((p) => p.closest.slice(0, replicas));
    let left = peers.length;
    let stored = 0;
    if (left === 0) return cb(0, messages);
    for (const p of peers)
      node.rpc.request(p, { type: 'store', target, record }, (res) => {
        messages += res ? 2 : 1;
        if (res?.type === 'stored') stored++;
        if (--left === 0) cb(stored, messages);
      });
  });
}

/** Read `target` along `d` disjoint paths: the newest valid record heard (or `local`), and the messages. */
export function disjointGet(
  node: DhtNode,
  target: NodeId,
  d: number,
  quorum: number,
  local: DhtRecord | undefined,
  cb: (best: DhtRecord | undefined, messages: number) => void,
): void {
  let best = local;
  const findValue: QueryFn<never> = (peer, done) =>
    node.rpc.request(peer, { type: 'find_value', target }, (res) => {
      if (res?.type !== 'value') return done(null);
      const rec = res.record;
      if (rec && validateRecord(target, rec).ok) best = best ? selectRecord(best, rec) : rec;
      done({ closer: res.nodes });
    });
  disjointLookups(node, target, d, findValue, { quorum }, (_, messages) => cb(best, messages));
}
