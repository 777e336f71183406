/**
 * The lookup benchmark: L lookups for random targets from random live nodes, each compared with
 * ground truth computed from full membership. Optionally kills a fraction of nodes silently first.
 */
import { randomId } from '../../../shared/dht/node-id';
import type { LookupResult } from '../../../shared/dht/lookup/lookup';
import { mean, summarize } from '../../../shared/sim/stats';
import type { Testnet } from '../../../shared/sim/testnet';

export interface LookupRunOptions {
  lookups: number;
  /** Fraction of nodes crashed silently before the lookups. @default 0 */
  kill?: number;
  /** Virtual ms between lookup starts. @default 10 */
  spacingMs?: number;
}

export interface LookupSummary {
  lookups: number;
  success: number;
  kAccuracy: number;
  rounds: { p50: number; p90: number; p99: number };
  latencyMs: { p50: number; p90: number; p99: number };
  messages: { p50: number; p90: number; p99: number };
  killed: number;
}

export function killFraction(tn: Testnet, fraction: number): number {
  if (fraction <= 0) return 0;
  const live = tn.live();
  let killed = 0;
  const target = Math.floor(live.length * fraction);
  // Partial Fisher-Yates with the testnet's seeded rng.
  for (let i = 0; i < target; i++) {
    const j = i + tn.rng.int(live.length - i);
    [live[i], live[j]] = [live[j]!, live[i]!];
    tn.crash(live[i]!);
    killed++;
  }
  return killed;
}

export function runLookups(tn: Testnet, o: LookupRunOptions): LookupSummary {
  const killed = killFraction(tn, o.kill ?? 0);
  const live = tn.live();
  const k = live[0]!.node.k;
  const results: { r: LookupResult; truth: string[] }[] = [];
  const spacing = o.spacingMs ?? 10;
  for (let i = 0; i < o.lookups; i++) {
    tn.clock.setTimeout(() => {
      const alive = live.filter((n) => n.endpoint.alive);
      const from = alive[tn.rng.int(alive.length)]!;
      const target = randomId(tn.rng);
      // A lookup never returns its own node, so the truth leaves it out too.
      const truth = tn
        .trueClosest(
          target,
          k,
          alive.filter((n) => n !== from),
        )
        .map((n) => n.node.hex);
      from.node.lookup(target, (r) => results.push({ r, truth }));
    }, i * spacing);
  }
  tn.clock.runFor(o.lookups * spacing);
  for (let guard = 0; results.length < o.lookups && guard < 600; guard++) tn.clock.runFor(1000);

  let ok = 0;
  const acc: number[] = [];
  for (const { r, truth } of results) {
    if (r.closest[0]?.hex === truth[0]) ok++;
    const got = new Set(r.closest.map((c) => c.hex));
    acc.push(truth.filter((h) => got.has(h)).length / truth.length);
  }
  return {
    lookups: results.length,
    success: results.length ? ok / o.lookups : 0,
    kAccuracy: mean(acc),
    rounds: summarize(results.map((x) => x.r.rounds)),
    latencyMs: summarize(results.map((x) => Math.round(x.r.durationMs))),
    messages: summarize(results.map((x) => x.r.messages)),
    killed,
  };
}
