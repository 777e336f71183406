/**
 * Hashcash stamp benchmark: npx tsx test/bench/pow.bench.ts [--quick]
 *
 * One core (one JS thread), a 72-byte request resource (owner IK | requester IK | u64 time).
 *   mintStamp scan     hashes per second of `mintStamp` over counters that never succeed
 *                      (bits 256, stopped by maxIterations): the cloned-midstate loop.
 *   naive noble        sha256(concat(domain, resource, counter)) with fresh buffers per attempt,
 *                      for comparison: what the midstate and the preallocated buffers save.
 *   node:crypto        createHash('sha256') per attempt (OpenSSL, Node only: the browser cannot use it).
 * Each rate is the median of 5 rounds after a warm-up, per wall-clock second (the headline) and
 * per second of process CPU time (user + system, all threads). On a busy machine wall time
 * overstates the cost (waiting for a core); the load average is printed so the figures can be
 * judged. Then 20 stamps are minted at POW_BITS over different resources; a stamp's cost is
 * geometric (mean 2^bits hashes, median 2^bits·ln 2), so the median and the spread are printed.
 * The last line is JSON (wall-clock figures).
 */
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { sha256 } from '@noble/hashes/sha2.js';
import { POW_BITS } from '../../shared/chat/constants';
import { mintStamp, stampResource } from '../../shared/chat/pow';
import { concatBytes, utf8 } from '../../shared/crypto/bytes';
import { SeededRng } from '../../shared/env/rng';

const quick = process.argv.includes('--quick');
const ROUNDS = 5;
const SCAN = quick ? 50_000 : 400_000;
const STAMPS = quick ? 5 : 20;
const DOMAIN = utf8.encode('p2p-chat hashcash v1\0');

const rng = new SeededRng(2026);
const resource = stampResource(rng.bytes(32), rng.bytes(32), 1_767_225_600_000);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

function timed(fn: () => void): Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000 };
}

/** Hashes per wall and per CPU second of `fn(n)`, medians of ROUNDS after one warm-up. */
function rate(n: number, fn: (n: number) => void): { wall: number; cpu: number } {
  fn(n >> 3);
  const runs = Array.from({ length: ROUNDS }, () => timed(() => fn(n)));
  return { wall: median(runs.map((t) => n / (t.wallMs / 1000))), cpu: median(runs.map((t) => n / (t.cpuMs / 1000))) };
}

const counterBytes = (c: number): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setUint32(4, c);
  return b;
};

const scan = rate(SCAN, (n) => {
  if (mintStamp(resource, 256, { maxIterations: n }) !== null) throw new Error('impossible stamp');
});
const naive = rate(SCAN >> 2, (n) => {
  for (let c = 0; c < n; c++) sha256(concatBytes(DOMAIN, resource, counterBytes(c)));
});
const openssl = rate(SCAN >> 2, (n) => {
  for (let c = 0; c < n; c++) createHash('sha256').update(DOMAIN).update(resource).update(counterBytes(c)).digest();
});

const stamps: Array<Timing & { hashes: number }> = [];
for (let i = 0; i < STAMPS; i++) {
  const res = stampResource(rng.bytes(32), rng.bytes(32), 1_767_225_600_000 + i);
  let hashes = 0;
  const t = timed(() => {
    hashes = mintStamp(res, POW_BITS)!.hashes;
  });
  stamps.push({ ...t, hashes });
}
const wallMs = stamps.map((s) => s.wallMs);
const cpuMs = stamps.map((s) => s.cpuMs);
const totalHashes = stamps.reduce((a, s) => a + s.hashes, 0);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => n.toFixed(1);
console.log(
  `node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}${quick ? ', --quick' : ''}`,
);
console.log('');
console.log('| loop | hashes / wall s | hashes / CPU s |');
console.log('|---|---:|---:|');
console.log(`| mintStamp scan (cloned midstate, no allocation) | ${fmt(scan.wall)} | ${fmt(scan.cpu)} |`);
console.log(`| naive noble sha256(concat(...)) | ${fmt(naive.wall)} | ${fmt(naive.cpu)} |`);
console.log(`| node:crypto createHash (reference, Node only) | ${fmt(openssl.wall)} | ${fmt(openssl.cpu)} |`);
console.log('');
console.log(`| ${STAMPS} stamps at POW_BITS = ${POW_BITS} | median | min | max |`);
console.log('|---|---:|---:|---:|');
console.log(`| wall ms | ${ms(median(wallMs))} | ${ms(Math.min(...wallMs))} | ${ms(Math.max(...wallMs))} |`);
console.log(`| CPU ms | ${ms(median(cpuMs))} | ${ms(Math.min(...cpuMs))} | ${ms(Math.max(...cpuMs))} |`);
console.log(`| hashes | ${fmt(median(stamps.map((s) => s.hashes)))} | | |`);
console.log('');
console.log(
  `mean hashes per stamp ${fmt(totalHashes / STAMPS)} (expected ${fmt(2 ** POW_BITS)}); expected median ${fmt(2 ** POW_BITS * Math.LN2)}`,
);
console.log(`while minting: ${fmt(totalHashes / (sum(wallMs) / 1000))} hashes / wall s, ${fmt(totalHashes / (sum(cpuMs) / 1000))} / CPU s`);
console.log(JSON.stringify({ hashesPerSec: Math.round(scan.wall), msPerStamp18: Number(ms(median(wallMs))) }));
