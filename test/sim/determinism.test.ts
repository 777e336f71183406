/** Every run is reproducible from its seed: the same seed gives byte-identical summaries. */
import { describe, expect, it } from 'vitest';
import { createTestnet } from '../../shared/sim/testnet';
import { runLookups } from './scenarios/lookups';
import { testSeed } from '../helpers/dht';

const SEED = testSeed(77);

function summary(seed: number): string {
  const tn = createTestnet(200, { seed, network: { loss: 0.01 } });
  const lookups = runLookups(tn, { lookups: 60, kill: 0.1 });
  return JSON.stringify({
    lookups,
    now: tn.clock.now(),
    events: tn.clock.executed,
    net: tn.net.counters.snapshot(),
    tables: tn.nodes.map(
      (s) => `${s.node.hex}:${s.node.table.size}:${[...s.node.table.contacts()].map((c) => c.hex.slice(0, 6)).join(',')}`,
    ),
    rpc: tn.nodes.map((s) => JSON.stringify(s.node.rpc.counters.snapshot())),
  });
}

describe('simulation: determinism', () => {
  it('the same seed gives byte-identical summaries; another seed does not', () => {
    console.log(`determinism seed=${SEED}`);
    const a = summary(SEED);
    const b = summary(SEED);
    expect(a === b, `seed=${SEED}: two runs with the same seed differ`).toBe(true);
    const c = summary(SEED + 1);
    expect(c === a, `seed=${SEED}: seeds ${SEED} and ${SEED + 1} gave the same summary`).toBe(false);
  });
});
