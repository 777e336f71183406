import { describe, expect, it } from 'vitest';
import { RoutingTable, type RoutingTableInit } from '../../../../shared/dht/routing-table';
import { bitsAt, commonPrefixLength, idToHex, randomId, randomIdAtLevel, type NodeId } from '../../../../shared/dht/node-id';
import { bruteClosest, hexes, idOf, SeededRng, testSeed } from '../../../helpers/dht';

const SEED = testSeed(0x7ab1e);

function table(self: NodeId, init: Partial<RoutingTableInit> = {}): RoutingTable {
  return new RoutingTable(self, { k: 3, bitsPerLevel: 1, replacements: 2, maxFailures: 2, ...init });
}

function add(t: RoutingTable, id: NodeId, now = 0) {
  return t.observe(id, idToHex(id), now);
}

/** n distinct ids that all land in the same bucket of `self` (level, sub). */
function sameBucket(self: NodeId, level: number, n: number, rng: SeededRng, s = 0, sub = 0): NodeId[] {
  return Array.from({ length: n }, () => randomIdAtLevel(self, level, rng, s, sub));
}

describe('RoutingTable: levels and sub-buckets', () => {
  it('subBits makes every level depth a multiple of bitsPerLevel', () => {
    const self = idOf('');
    expect([0, 1, 2, 3, 4, 5].map((l) => table(self, { bitsPerLevel: 3 }).subBits(l))).toEqual([2, 1, 0, 2, 1, 0]);
    expect([0, 1, 2, 3].map((l) => table(self, { bitsPerLevel: 2 }).subBits(l))).toEqual([1, 0, 1, 0]);
    expect([0, 1, 7, 100].map((l) => table(self, { bitsPerLevel: 1 }).subBits(l))).toEqual([0, 0, 0, 0]);
    for (const b of [2, 3, 4, 5]) {
      const t = table(self, { bitsPerLevel: b });
      for (let l = 0; l < 160; l++) {
        const s = t.subBits(l);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThan(b);
        // never past the last bit
        expect(l + 1 + s).toBeLessThanOrEqual(160);
        if (l + 1 + s < 160) expect((l + 1 + s) % b, `b=${b} l=${l}`).toBe(0);
      }
    }
  });

  it('contacts land in the bucket of their level and sub-bucket', () => {
    const rng = new SeededRng(SEED);
    for (const b of [1, 2, 3, 4]) {
      const self = randomId(rng);
      const t = table(self, { bitsPerLevel: b, k: 1000 });
      const ids: NodeId[] = [];
      for (let i = 0; i < 400; i++) {
        const id = randomId(rng);
        id.set(self.subarray(0, rng.int(3))); // some deeper levels too
        ids.push(id);
        add(t, id);
      }
      for (const id of ids) {
        const level = commonPrefixLength(self, id);
        const s = t.subBits(level);
        const bucket = t.bucketFor(id, false)!;
        expect(bucket.level, `seed=${SEED} b=${b}`).toBe(level);
        expect(bucket.sub, `seed=${SEED} b=${b}`).toBe(s ? bitsAt(id, level + 1, s) : 0);
        expect(bucket.contacts.some((c) => c.hex === idToHex(id))).toBe(true);
      }
      // Every contact is in exactly one bucket; size counts them.
      const all = t.buckets().flatMap((bk) => bk.contacts.map((c) => c.hex));
      expect(new Set(all).size).toBe(all.length);
      expect(t.size).toBe(new Set(ids.map(idToHex)).size);
      expect([...t.contacts()].length).toBe(t.size);
    }
  });

  it('a level with sub bits splits into separate buckets of k each', () => {
    const rng = new SeededRng(SEED + 1);
    const self = randomId(rng);
    const t = table(self, { bitsPerLevel: 3, k: 2 }); // level 0 has 2 sub bits: 4 buckets
    for (let sub = 0; sub < 4; sub++) for (const id of sameBucket(self, 0, 2, rng, 2, sub)) expect(add(t, id).kind).toBe('added');
    expect(t.size).toBe(8);
    expect(
      t
        .buckets()
        .filter((b) => b.level === 0)
        .map((b) => b.sub)
        .sort(),
    ).toEqual([0, 1, 2, 3]);
    expect(add(t, randomIdAtLevel(self, 0, rng, 2, 3)).kind).toBe('full');
  });

  it('observing self is refused', () => {
    const self = idOf('abcd');
    const t = table(self);
    expect(add(t, self).kind).toBe('self');
    expect(t.size).toBe(0);
    expect(t.bucketFor(self, true)).toBeUndefined();
  });
});

describe('RoutingTable: buckets, eviction and the replacement cache', () => {
  it('keeps least-recently-seen first and moves an observed contact to the tail', () => {
    const rng = new SeededRng(SEED + 2);
    const self = randomId(rng);
    const t = table(self);
    const [a, b, c] = sameBucket(self, 0, 3, rng);
    add(t, a!, 1);
    add(t, b!, 2);
    add(t, c!, 3);
    const bucket = t.bucketFor(a!, false)!;
    expect(hexes(bucket.contacts)).toEqual([a, b, c].map((x) => idToHex(x!)));
    const r = add(t, a!, 10);
    expect(r.kind).toBe('updated');
    expect(hexes(bucket.contacts)).toEqual([b, c, a].map((x) => idToHex(x!)));
    expect(t.get(a!)!.lastSeen).toBe(10);
    expect(t.size).toBe(3);
  });

  it("a full bucket returns 'full' with the least-recently-seen contact and does not evict", () => {
    const rng = new SeededRng(SEED + 3);
    const self = randomId(rng);
    const t = table(self);
    const [a, b, c, d] = sameBucket(self, 2, 4, rng);
    add(t, a!, 1);
    add(t, b!, 2);
    add(t, c!, 3);
    add(t, a!, 4); // a is now most recent; b is the oldest
    const r = add(t, d!, 5);
    expect(r.kind).toBe('full');
    if (r.kind !== 'full') throw new Error('unreachable');
    expect(r.oldest.hex).toBe(idToHex(b!));
    expect(r.bucket.contacts.length).toBe(3);
    expect(t.get(d!)).toBeUndefined();
    expect(hexes(r.bucket.replacements)).toEqual([idToHex(d!)]);
    expect(t.size).toBe(3);
  });

  it('the replacement cache is bounded, most recent last, and a re-seen replacement moves to the end', () => {
    const rng = new SeededRng(SEED + 4);
    const self = randomId(rng);
    const t = table(self, { k: 1, replacements: 2 });
    const [a, r1, r2, r3] = sameBucket(self, 5, 4, rng);
    add(t, a!);
    add(t, r1!);
    add(t, r2!);
    const bucket = t.bucketFor(a!, false)!;
    expect(hexes(bucket.replacements)).toEqual([r1, r2].map((x) => idToHex(x!)));
    add(t, r1!); // seen again: moves to the end, no duplicate
    expect(hexes(bucket.replacements)).toEqual([r2, r1].map((x) => idToHex(x!)));
    add(t, r3!); // bound: the oldest replacement (r2) is dropped
    expect(hexes(bucket.replacements)).toEqual([r1, r3].map((x) => idToHex(x!)));
  });

  it('recordFailure without replacements: never drops the contact; after maxFailures it is stale (not handed out) until it is seen again', () => {
    const rng = new SeededRng(SEED + 5);
    const self = randomId(rng);
    const t = table(self, { maxFailures: 3 });
    const [a] = sameBucket(self, 1, 1, rng);
    add(t, a!);
    expect(t.recordFailure(a!)).toBe(false);
    expect(t.recordFailure(a!)).toBe(false);
    expect(t.get(a!)!.failures).toBe(2);
    add(t, a!); // proved alive
    expect(t.get(a!)!.failures).toBe(0);
    for (let i = 0; i < 3; i++) expect(t.recordFailure(a!)).toBe(false);
    // Stale: still in the table (so a partition cannot make us forget it), but not handed out.
    expect(t.get(a!)).toBeDefined();
    expect(t.size).toBe(1);
    expect(t.closest(a!, 20).map((c) => c.hex)).not.toContain(idToHex(a!));
    add(t, a!); // answers a re-ping: handed out again
    expect(t.closest(a!, 20).map((c) => c.hex)).toContain(idToHex(a!));
  });

  it('recordFailure with a replacement waiting: drops at once and promotes the most recent replacement', () => {
    const rng = new SeededRng(SEED + 6);
    const self = randomId(rng);
    const t = table(self, { k: 2, replacements: 3, maxFailures: 5 });
    const [a, b, r1, r2] = sameBucket(self, 3, 4, rng);
    add(t, a!);
    add(t, b!);
    add(t, r1!);
    add(t, r2!);
    expect(t.recordFailure(a!)).toBe(true);
    expect(t.get(a!)).toBeUndefined();
    expect(t.get(r2!)).toBeDefined();
    expect(t.size).toBe(2);
    const bucket = t.bucketFor(b!, false)!;
    expect(hexes(bucket.contacts)).toEqual([b, r2].map((x) => idToHex(x!)));
    expect(hexes(bucket.replacements)).toEqual([idToHex(r1!)]);
  });

  it('recordFailure on a replacement removes it from the cache; on an unknown id it is a no-op', () => {
    const rng = new SeededRng(SEED + 7);
    const self = randomId(rng);
    const t = table(self, { k: 1 });
    const [a, r1] = sameBucket(self, 0, 2, rng);
    add(t, a!);
    add(t, r1!);
    expect(t.recordFailure(r1!)).toBe(false);
    expect(t.bucketFor(a!, false)!.replacements).toEqual([]);
    expect(t.get(a!)!.failures).toBe(0);
    expect(t.recordFailure(randomIdAtLevel(self, 40, rng))).toBe(false);
    expect(t.recordFailure(randomIdAtLevel(self, 0, rng))).toBe(false);
    expect(t.size).toBe(1);
  });

  it('remove() promotes a replacement and keeps size right', () => {
    const rng = new SeededRng(SEED + 8);
    const self = randomId(rng);
    const t = table(self, { k: 1 });
    const [a, r1] = sameBucket(self, 4, 2, rng);
    add(t, a!);
    add(t, r1!);
    expect(t.remove(a!)).toBe(true);
    expect(t.remove(a!)).toBe(false);
    expect(t.get(r1!)).toBeDefined();
    expect(t.size).toBe(1);
    expect(t.remove(r1!)).toBe(true);
    expect(t.size).toBe(0);
  });

  it('a replacement promoted into the bucket is the same contact (its RTT estimate survives)', () => {
    const rng = new SeededRng(SEED + 9);
    const self = randomId(rng);
    const t = table(self, { k: 1 });
    const [a, r1] = sameBucket(self, 0, 2, rng);
    add(t, a!);
    add(t, r1!, 7);
    const rep = t.bucketFor(a!, false)!.replacements[0]!;
    rep.srtt = 42;
    t.remove(a!);
    expect(t.get(r1!)).toBe(rep);
    expect(t.get(r1!)!.srtt).toBe(42);
  });
});

describe('RoutingTable: closest() against a brute-force sort', () => {
  it('matches sorting every contact by XOR distance, for many random tables and targets', () => {
    const rng = new SeededRng(SEED + 10);
    let checks = 0;
    for (let trial = 0; trial < 60; trial++) {
      const self = randomId(rng);
      const b = 1 + rng.int(4);
      const k = 1 + rng.int(20);
      const t = table(self, { k, bitsPerLevel: b, replacements: 4 });
      const n = rng.int(600);
      for (let i = 0; i < n; i++) {
        const id = randomId(rng);
        // Clustered ids near self make deep levels and many sub-buckets.
        if (rng.int(3) === 0) id.set(self.subarray(0, 1 + rng.int(4)));
        add(t, id, i);
      }
      const all = [...t.contacts()];
      for (let q = 0; q < 40; q++) {
        let target: NodeId;
        const kind = rng.int(5);
        if (kind === 0) target = self;
        else if (kind === 1 && all.length > 0) target = all[rng.int(all.length)]!.id;
        else if (kind === 2) target = randomIdAtLevel(self, rng.int(40), rng);
        else target = randomId(rng);
        const want = 1 + rng.int(45);
        const exclude = rng.int(3) === 0 && all.length > 0 ? all[rng.int(all.length)]!.hex : undefined;
        const got = hexes(t.closest(target, want, exclude));
        const pool = exclude ? all.filter((c) => c.hex !== exclude) : all;
        const expected = hexes(bruteClosest(pool, target, want));
        expect(got, `seed=${SEED + 10} trial=${trial} q=${q} b=${b} k=${k} target=${idToHex(target)}`).toEqual(expected);
        checks++;
      }
    }
    expect(checks).toBe(2400);
  });

  it("closestIds() writes exactly closest()'s ids, and bucket words mirror contacts, through failures, removals and promotions", () => {
    const rng = new SeededRng(SEED + 11);
    let checks = 0;
    for (let trial = 0; trial < 30; trial++) {
      const self = randomId(rng);
      const t = table(self, { k: 1 + rng.int(20), bitsPerLevel: 1 + rng.int(4), replacements: rng.int(3) });
      const ids: NodeId[] = [];
      for (let i = 0; i < 400; i++) {
        const id = randomId(rng);
        if (rng.int(3) === 0) id.set(self.subarray(0, 1 + rng.int(3)));
        ids.push(id);
        add(t, id, i);
        // Churn the slots: failures (stale contacts, promotions), removals, re-sightings.
        const other = ids[rng.int(ids.length)]!;
        const op = rng.int(10);
        if (op === 0) t.recordFailure(other);
        else if (op === 1) t.remove(other);
        else if (op === 2) add(t, other, i);
      }
      // Each bucket's words mirror its contacts, in order: the id's five words, then failures.
      for (const b of t.buckets()) {
        const mirror = b.contacts.flatMap((c) => [c.w0, c.w1, c.w2, c.w3, c.w4, c.failures]);
        expect(b.words, `seed=${SEED + 11} trial=${trial}`).toEqual(mirror);
        expect(b.contacts.map((c) => idToHex(c.id))).toEqual(hexes(b.contacts));
        expect(b.contacts.every((c) => c.home === b)).toBe(true);
        expect(b.replacements.every((c) => c.home === undefined)).toBe(true);
      }
      const all = [...t.contacts()];
      for (let q = 0; q < 20; q++) {
        const target = rng.int(2) === 0 && all.length > 0 ? all[rng.int(all.length)]!.id : randomId(rng);
        const want = 1 + rng.int(30);
        const exclude = rng.int(3) === 0 && all.length > 0 ? all[rng.int(all.length)]!.hex : undefined;
        const got = t.closest(target, want, exclude);
        const usable = all.filter((c) => c.failures < 2 && c.hex !== exclude);
        const where = `seed=${SEED + 11} trial=${trial} q=${q}`;
        expect(hexes(got), where).toEqual(hexes(bruteClosest(usable, target, want)));
        expect(t.closestIds(target, want, exclude).toArray().map(idToHex), where).toEqual(hexes(got));
        checks++;
      }
    }
    expect(checks).toBe(600);
  });

  it('excluding a peer with the same 32-bit prefix as another only drops that peer', () => {
    const self = idOf('');
    const t = table(self, { k: 20 });
    const a = idOf('ffffffff01');
    const b = idOf('ffffffff02');
    add(t, a);
    add(t, b);
    expect(hexes(t.closest(idOf('ff'), 5, idToHex(a)))).toEqual([idToHex(b)]);
  });
});

describe('RoutingTable: touch, buckets, deepestLevel', () => {
  it('deepestLevel is -1 when empty and tracks the deepest non-empty level', () => {
    const rng = new SeededRng(SEED + 11);
    const self = randomId(rng);
    const t = table(self, { k: 1 });
    expect(t.deepestLevel()).toBe(-1);
    const a = randomIdAtLevel(self, 12, rng);
    add(t, a);
    add(t, randomIdAtLevel(self, 3, rng));
    expect(t.deepestLevel()).toBe(12);
    t.remove(a);
    expect(t.deepestLevel()).toBe(3);
  });

  it('buckets() lists every bucket created; touch() stamps only the bucket covering the target', () => {
    const rng = new SeededRng(SEED + 12);
    const self = randomId(rng);
    const t = table(self, { bitsPerLevel: 2 });
    add(t, randomIdAtLevel(self, 0, rng, 1, 0));
    add(t, randomIdAtLevel(self, 0, rng, 1, 1));
    add(t, randomIdAtLevel(self, 5, rng, 0, 0));
    const bs = t.buckets();
    expect(bs.map((b) => `${b.level}/${b.sub}`).sort()).toEqual(['0/0', '0/1', '5/0']);
    expect(bs.every((b) => b.lastTouched === 0)).toBe(true);
    t.touch(randomIdAtLevel(self, 0, rng, 1, 1), 1234);
    expect(bs.filter((b) => b.lastTouched === 1234).map((b) => `${b.level}/${b.sub}`)).toEqual(['0/1']);
    t.touch(randomIdAtLevel(self, 9, rng), 99); // no bucket there: nothing happens, nothing created
    expect(t.buckets().length).toBe(3);
  });
});
