/**
 * 10^5 mutated signaling frames through the hub (`npm run fuzz` runs 10^6 per target). The seed is
 * printed; FUZZ_SEED replays a run, FUZZ_CASES changes its size.
 */
import { expect, it } from 'vitest';
import { signalTarget } from '../../helpers/fuzz-signal';
import { fuzz } from '../../tools/fuzz';

it('signal fuzz: 100,000 mutated frames, no throw, no bad or oversized frame out, scanner agrees with JSON.parse', () => {
  const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const cases = Number(process.env.FUZZ_CASES ?? 100_000);
  console.log(`signal fuzz seed ${seed} (replay: FUZZ_SEED=${seed})`);
  // a case slower than 2 s counts as a hang (the machine may be loaded; the CLI reports the max)
  const r = fuzz(signalTarget({ slowMs: 2000 }), cases, seed);
  expect(r.stats.cases).toBe(cases);
  expect(r.stats.scanDisagree).toBe(0);
  // every mutation kind was exercised
  expect(Object.keys(r.byMutation).sort()).toEqual(['bitflip', 'concat', 'length', 'nest', 'repeat', 'truncate']);
  // the hub holds only its three connections whatever it was fed
  expect(r.stats.connections).toBeLessThanOrEqual(3);
}, 180_000);
