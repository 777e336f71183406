import { describe, expect, it } from 'vitest';
import { createTestnet } from '../../../../shared/sim/testnet';
import { randomId } from '../../../../shared/dht/node-id';
import { bruteClosest, testSeed } from '../../../helpers/dht';

const SEED = testSeed(0x7e57);

describe('createTestnet', () => {
  it('joins every node, builds tables, and is reproducible from its seed', () => {
    const a = createTestnet(40, { seed: SEED, settleMs: 5000 });
    const b = createTestnet(40, { seed: SEED, settleMs: 5000 });
    const c = createTestnet(40, { seed: SEED + 1, settleMs: 5000 });
    expect(a.live().length).toBe(40);
    expect(
      a.nodes.every((s) => s.joined && s.node.table.size > 5),
      `seed=${SEED}`,
    ).toBe(true);
    expect(a.nodes.map((s) => s.node.hex)).toEqual(b.nodes.map((s) => s.node.hex));
    expect(a.nodes.map((s) => s.node.table.size)).toEqual(b.nodes.map((s) => s.node.table.size));
    expect(c.nodes.map((s) => s.node.hex)).not.toEqual(a.nodes.map((s) => s.node.hex));
  });

  it('trueClosest is the brute-force XOR order over live nodes; crash and leave remove nodes from live()', () => {
    const tn = createTestnet(30, { seed: SEED, settleMs: 1000 });
    for (let i = 0; i < 20; i++) {
      const t = randomId(tn.rng);
      const k = 1 + tn.rng.int(10);
      expect(
        tn.trueClosest(t, k).map((s) => s.node.hex),
        `seed=${SEED}`,
      ).toEqual(
        bruteClosest(
          tn.live().map((s) => s.node),
          t,
          k,
        ).map((n) => n.hex),
      );
    }
    tn.crash(tn.nodes[0]!);
    tn.leave(tn.nodes[1]!);
    expect(tn.live().length).toBe(28);
    expect(tn.live()).not.toContain(tn.nodes[0]);
    const s = tn.sample(100, tn.nodes[2]);
    expect(s.length).toBe(27);
    expect(s).not.toContain(tn.nodes[2]);
    expect(s).not.toContain(tn.nodes[0]);
    expect(new Set(s).size).toBe(27);
  });
});
