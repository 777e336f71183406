/**
 * `npm run fuzz -- [--target signal|wire|all] [--cases N] [--seed S] [--json]`: mutate valid frames
 * (bit flips, length rewrites, truncation, concatenation, repeats, nesting: test/helpers/fuzz-mutate.ts)
 * and feed them to a target, N cases each (default 1,000,000), from seed S (default: random,
 * printed). A broken invariant stops the run and prints the seed, the case number and the input, so
 * `--seed S --cases <case+1>` replays it. The last line is JSON: {"targets":[{name, cases, ms, ...}]}.
 *
 * Targets:
 * - signal: client frames into the signaling hub (test/helpers/fuzz-signal.ts).
 * - wire: DHT wire frames, run by test/tools/fuzz-wire.ts (the DHT half of issue 16) in a child
 *   process with the same --cases and --seed, when that file is present; its last JSON line joins
 *   this run's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SeededRng } from '../../shared/env/rng';
import { mutate } from '../helpers/fuzz-mutate';
import { signalTarget, type FuzzTarget } from '../helpers/fuzz-signal';

/** Every target by name; each is built fresh for a run. */
export const TARGETS: Record<string, () => FuzzTarget> = {
  signal: () => signalTarget(),
};

/** Targets with a CLI of their own (`--cases N --seed S`, last line JSON), run as a child process. */
const EXTERNAL: Record<string, string> = {
  wire: resolve(dirname(fileURLToPath(import.meta.url)), 'fuzz-wire.ts'),
};

function runExternal(name: string, file: string, cases: number, seed: number): unknown {
  const r = spawnSync(process.execPath, [...process.execArgv, file, '--cases', String(cases), '--seed', String(seed)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const out = r.stdout ?? '';
  process.stdout.write(out.split('\n').slice(0, -2).join('\n') + (out.includes('\n') ? '\n' : ''));
  if (r.status !== 0) throw new Error(`fuzz ${name}: ${file} exited with ${r.status}`);
  const last = out.trim().split('\n').at(-1) ?? '{}';
  try {
    return JSON.parse(last);
  } catch {
    return { name, output: last };
  }
}

export interface FuzzReport {
  name: string;
  seed: number;
  cases: number;
  ms: number;
  heapGrowthMb: number;
  byMutation: Record<string, number>;
  stats: Record<string, number>;
}

/** Run `cases` mutated inputs through `target`; throws (with seed and case) on the first broken invariant. */
export function fuzz(target: FuzzTarget, cases: number, seed: number): FuzzReport {
  const rng = new SeededRng(seed);
  const corpus = target.seeds();
  const byMutation: Record<string, number> = {};
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < cases; i++) {
    const base = corpus[rng.int(corpus.length)]!;
    const { out, applied } = mutate(base, rng, corpus);
    for (const a of applied) byMutation[a] = (byMutation[a] ?? 0) + 1;
    try {
      target.run(out);
    } catch (e) {
      const input = new TextDecoder().decode(out);
      throw new Error(
        `fuzz ${target.name}: seed ${seed}, case ${i} (${applied.join('+')}): ${e instanceof Error ? e.message : String(e)}\ninput (${out.length} bytes): ${JSON.stringify(input.slice(0, 400))}`,
      );
    }
  }
  const ms = performance.now() - t0;
  const heapGrowthMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  return { name: target.name, seed, cases, ms, heapGrowthMb, byMutation, stats: target.stats() };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const which = arg('target') ?? 'all';
  const cases = Number(arg('cases') ?? 1_000_000);
  const seed = Number(arg('seed') ?? Math.floor(Math.random() * 2 ** 31));
  const external = Object.keys(EXTERNAL).filter((n) => existsSync(EXTERNAL[n]!));
  const names = which === 'all' ? [...Object.keys(TARGETS), ...external] : which.split(',');
  const reports: unknown[] = [];
  for (const name of names) {
    if (external.includes(name)) {
      process.stderr.write(`fuzz ${name}: ${cases} cases, seed ${seed} (${EXTERNAL[name]})\n`);
      reports.push(runExternal(name, EXTERNAL[name]!, cases, seed));
      continue;
    }
    const make = TARGETS[name];
    if (!make) throw new Error(`unknown target ${name} (have: ${[...Object.keys(TARGETS), ...external].join(', ')})`);
    process.stderr.write(`fuzz ${name}: ${cases} cases, seed ${seed}\n`);
    const r = fuzz(make(), cases, seed);
    reports.push(r);
    process.stdout.write(
      `| ${name} | ${r.cases.toLocaleString('en-US')} cases | ${(r.ms / 1000).toFixed(1)} s | ${((r.ms * 1000) / r.cases).toFixed(1)} µs/case | heap +${r.heapGrowthMb.toFixed(1)} MB | ${JSON.stringify(r.stats)} |\n`,
    );
  }
  process.stdout.write(`${JSON.stringify({ targets: reports })}\n`);
}

if (process.argv[1]?.endsWith('fuzz.ts')) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
