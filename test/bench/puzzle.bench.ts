/**
 * The node-id puzzle's cost: `npm run bench:puzzle [-- --json]` (inside ../shared/tools/loopback-only).
 *
 * S/Kademlia's static puzzle (shared/dht/node-puzzle.ts) makes every node id cost about 2^bits
 * Ed25519 key generations. This measures, on this machine:
 *  - the rate of key generations + puzzle checks: noble in Node, node:crypto (OpenSSL, what an
 *    attacker would grind with) in Node, and noble in a real Chromium tab (what a tab pays);
 *  - the first-run time of a tab at several difficulties: GRINDS real grinds each in Chromium;
 *  - an attacker's cost to place 20 ids sharing 12 bits with a chosen key (the eclipse of issue
 *    16: 20 x 2^12 x 2^bits keys at the node:crypto rate, one core).
 * Prints a table, then one JSON line (last line).
 */
import { generateKeyPairSync } from 'node:crypto';
import { build } from 'esbuild';
import { launchChromium } from '../helpers/browser';
import { percentile } from '../helpers/p2p-pages';
import { generateKeyPair, nodeIdFromPublicKey } from '../../shared/crypto/ed25519';
import { solvesPuzzle } from '../../shared/dht/node-puzzle';
import { NODE_PUZZLE_BITS } from '../../shared/dht/constants';

const json = process.argv.includes('--json');
const BITS = [8, 10, 12];
const GRINDS = Number(process.env.BENCH_GRINDS ?? 12);
const RATE_KEYS = 3_000;

function rate(f: () => void, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  return n / ((performance.now() - t0) / 1000);
}

/** The key's 32 raw bytes from node:crypto (the JWK's x). */
function opensslKey(): Uint8Array {
  const { publicKey } = generateKeyPairSync('ed25519');
  return Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
}

async function main(): Promise<void> {
  rate(() => solvesPuzzle(nodeIdFromPublicKey(generateKeyPair().publicKey), 30), 500); // warm-up
  const nodeNoble = rate(() => solvesPuzzle(nodeIdFromPublicKey(generateKeyPair().publicKey), 30), RATE_KEYS);
  rate(() => solvesPuzzle(nodeIdFromPublicKey(opensslKey()), 30), 500);
  const nodeOpenssl = rate(() => solvesPuzzle(nodeIdFromPublicKey(opensslKey()), 30), RATE_KEYS * 3);

  // The tab's code: the same module, bundled for the browser.
  const bundle = await build({
    stdin: {
      contents: `import { generatePuzzleKeyPair, solvesPuzzle } from './shared/dht/node-puzzle';
import { generateKeyPair, nodeIdFromPublicKey } from './shared/crypto/ed25519';
window.puzzle = {
  rate(n) { const t0 = performance.now(); for (let i = 0; i < n; i++) solvesPuzzle(nodeIdFromPublicKey(generateKeyPair().publicKey), 30); return n / ((performance.now() - t0) / 1000); },
  grind(bits) { const t0 = performance.now(); const r = generatePuzzleKeyPair(bits); return { ms: performance.now() - t0, tries: r.tries }; },
};`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    write: false,
    target: 'es2022',
  });
  type Puzzle = { rate(n: number): number; grind(bits: number): { ms: number; tries: number } };
  const browser = await launchChromium();
  const grinds = new Map<number, Array<{ ms: number; tries: number }>>();
  let tabRate = 0;
  try {
    const page = await (await browser.newContext()).newPage();
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    await page.evaluate(() => (window as unknown as { puzzle: Puzzle }).puzzle.rate(500));
    tabRate = await page.evaluate((n) => (window as unknown as { puzzle: Puzzle }).puzzle.rate(n), RATE_KEYS);
    for (const bits of BITS) {
      const runs: Array<{ ms: number; tries: number }> = [];
      // A fresh page per grind: a first run is cold code, as in a new tab.
      for (let i = 0; i < GRINDS; i++) {
        const p = await (await browser.newContext()).newPage();
        await p.addScriptTag({ content: bundle.outputFiles[0]!.text });
        runs.push(await p.evaluate((b) => (window as unknown as { puzzle: Puzzle }).puzzle.grind(b), bits));
        await p.context().close();
      }
      grinds.set(bits, runs);
    }
  } finally {
    await browser.close();
  }

  const round = (x: number) => Math.round(x);
  const rows = BITS.map((bits) => {
    const ms = grinds.get(bits)!.map((g) => g.ms);
    const attackerKeys = 20 * 2 ** 12 * 2 ** bits;
    return {
      bits,
      tabFirstRunMs: {
        p50: round(percentile(ms, 50)),
        p90: round(percentile(ms, 90)),
        mean: round(ms.reduce((a, b) => a + b, 0) / ms.length),
      },
      tabExpectedMs: round((2 ** bits / tabRate) * 1000),
      attackerCoreHours: Math.round((attackerKeys / nodeOpenssl / 3600) * 100) / 100,
    };
  });
  const result = {
    keysPerSecond: { nodeNoble: round(nodeNoble), nodeOpenssl: round(nodeOpenssl), chromiumNoble: round(tabRate) },
    defaultBits: NODE_PUZZLE_BITS,
    attackerCoreHoursWithoutPuzzle: Math.round(((20 * 2 ** 12) / nodeOpenssl / 3600) * 1e4) / 1e4,
    rows,
  };
  if (!json) console.log(JSON.stringify(result, null, 2));
  console.log('| bits | tab first run p50 / p90 ms (measured) | expected 2^bits / rate ms | attacker core-hours for 20 ids near a key |');
  console.log('|---|---|---|---|');
  console.log(`| 0 | 0 | 0 | ${result.attackerCoreHoursWithoutPuzzle} |`);
  for (const r of rows)
    console.log(`| ${r.bits} | ${r.tabFirstRunMs.p50} / ${r.tabFirstRunMs.p90} | ${r.tabExpectedMs} | ${r.attackerCoreHours} |`);
  console.log(
    `keys/s: Node noble ${result.keysPerSecond.nodeNoble}, Node OpenSSL ${result.keysPerSecond.nodeOpenssl}, Chromium noble ${result.keysPerSecond.chromiumNoble}`,
  );
  console.log(JSON.stringify(result));
}

await main();
