/**
 * Double Ratchet micro-benchmark: npx tsx test/bench/ratchet.bench.ts [--quick]
 *
 * One core (one JS thread), 100-byte plaintexts, 32-byte AD.
 *   one-way     Alice encrypts, Bob decrypts, in order: symmetric-key ratchet only.
 *   +persist    the same with serialize() of the new state after each operation (what a caller
 *               storing the state in IndexedDB with every message pays on top, minus IndexedDB).
 *   ping-pong   the direction alternates, so every decrypt is a DH ratchet step (2 X25519 DH +
 *               1 key generation).
 * Each row is the median of 5 rounds (cases interleaved, after a warm-up round), as messages per
 * wall-clock second (the headline) and per second of process CPU time (process.cpuUsage: user +
 * system of all threads, so it also counts V8's GC and compiler helper threads). On a busy
 * machine wall time overstates the cost (waiting for a core) and the load average is printed so
 * the figures can be judged. Also times the primitives underneath. The last line is JSON.
 */
import { loadavg } from 'node:os';
import { x25519 } from '@noble/curves/ed25519.js';
import { cbc } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  generateDh,
  ratchetDecrypt,
  ratchetEncrypt,
  ratchetInitAlice,
  ratchetInitBob,
  serialize,
  type RatchetMessage,
  type RatchetState,
} from '../../shared/crypto/double-ratchet';

const quick = process.argv.includes('--quick');
const RUNS = 5;
const PLAINTEXT = new Uint8Array(100).fill(0x61);
const AD = new Uint8Array(32).fill(0x41);

function session(): { alice: RatchetState; bob: RatchetState } {
  const sk = crypto.getRandomValues(new Uint8Array(32));
  const bobKey = generateDh();
  return { alice: ratchetInitAlice(sk, bobKey.publicKey), bob: ratchetInitBob(sk, bobKey) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

interface Rate {
  wall: number;
  cpu: number;
}

/** Times one call of fn; returns operations per wall second and per CPU second. */
function timeOnce(n: number, fn: () => void): Rate {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { wall: n / wallS, cpu: n / ((c.user + c.system) / 1e6) };
}

/** One benchmark case: `prepare(n)` does untimed setup and returns the timed work. */
interface Case {
  name: string;
  n: number;
  prepare: (n: number) => () => void;
}

/**
 * Runs every case once per round, RUNS rounds (after a warm-up round), and takes the median per
 * case: interleaving the cases spreads any change in machine load over all of them alike.
 */
function measure(cases: Case[]): Rate[] {
  const runs: Rate[][] = cases.map(() => []);
  for (let round = 0; round <= RUNS; round++) {
    cases.forEach((c, i) => {
      const n = round === 0 ? Math.max(1, c.n >> 3) : c.n;
      const t = timeOnce(n, c.prepare(n));
      if (round > 0) runs[i]!.push(t);
    });
  }
  return runs.map((r) => ({ wall: median(r.map((x) => x.wall)), cpu: median(r.map((x) => x.cpu)) }));
}

function oneWay(n: number, persist: boolean): () => void {
  return () => {
    let { alice, bob } = session();
    for (let i = 0; i < n; i++) {
      const e = ratchetEncrypt(alice, PLAINTEXT, AD);
      alice = e.state;
      if (persist) serialize(alice);
      const d = ratchetDecrypt(bob, e.message, AD);
      bob = d.state;
      if (persist) serialize(bob);
    }
  };
}

function encryptOnly(n: number): () => void {
  const { alice } = session();
  return () => {
    let st = alice;
    for (let i = 0; i < n; i++) st = ratchetEncrypt(st, PLAINTEXT, AD).state;
  };
}

function decryptOnly(n: number): () => void {
  let { alice, bob } = session();
  const msgs: RatchetMessage[] = [];
  for (let i = 0; i < n; i++) {
    const e = ratchetEncrypt(alice, PLAINTEXT, AD);
    alice = e.state;
    msgs.push(e.message);
  }
  return () => {
    for (const m of msgs) bob = ratchetDecrypt(bob, m, AD).state;
  };
}

function pingPong(n: number): () => void {
  let { alice, bob } = session();
  bob = ratchetDecrypt(bob, ratchetEncrypt(alice, PLAINTEXT, AD).message, AD).state; // Bob can now send
  alice = ratchetEncrypt(alice, PLAINTEXT, AD).state;
  return () => {
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) {
        const e = ratchetEncrypt(bob, PLAINTEXT, AD);
        bob = e.state;
        alice = ratchetDecrypt(alice, e.message, AD).state;
      } else {
        const e = ratchetEncrypt(alice, PLAINTEXT, AD);
        alice = e.state;
        bob = ratchetDecrypt(bob, e.message, AD).state;
      }
    }
  };
}

const N = quick ? 2000 : 20000;
const NPP = quick ? 60 : 300;
const NDH = quick ? 50 : 200;
const loop = (f: () => void) => (n: number) => () => {
  for (let i = 0; i < n; i++) f();
};

const k32 = new Uint8Array(32).fill(7);
const iv = new Uint8Array(16);
const pub = generateDh().publicKey;
const mainCases: Case[] = [
  { name: 'one-way: encrypt + decrypt', n: N, prepare: (n) => oneWay(n, false) },
  { name: 'one-way + serialize both states', n: N, prepare: (n) => oneWay(n, true) },
  { name: 'encrypt only', n: N, prepare: encryptOnly },
  { name: 'decrypt only (in order)', n: N, prepare: decryptOnly },
  { name: 'ping-pong: DH ratchet step every message', n: NPP, prepare: pingPong },
];
const microCases: Case[] = [
  { name: 'X25519 DH', n: NDH, prepare: loop(() => x25519.getSharedSecret(k32, pub)) },
  { name: 'X25519 keygen (GENERATE_DH)', n: NDH, prepare: loop(() => generateDh()) },
  { name: 'HKDF-SHA256, 80 bytes out', n: N, prepare: loop(() => hkdf(sha256, k32, iv, AD, 80)) },
  { name: 'HMAC-SHA256, 1 byte (KDF_CK half)', n: N, prepare: loop(() => hmac(sha256, k32, iv.subarray(0, 1))) },
  { name: 'HMAC-SHA256 over 184 bytes (the MAC)', n: N, prepare: loop(() => hmac(sha256, k32, new Uint8Array(184))) },
  { name: 'AES-256-CBC encrypt 100 bytes (+key schedule)', n: N, prepare: loop(() => cbc(k32, iv).encrypt(PLAINTEXT)) },
];
const [oneWayRate, persistRate, encRate, decRate, pingPongRate] = measure(mainCases) as [Rate, Rate, Rate, Rate, Rate];
const microUs = measure(microCases).map((r, i) => [microCases[i]!.name, 1e6 / r.wall] as const);

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const load = loadavg()
  .map((x) => x.toFixed(1))
  .join(' ');
console.log(`Double Ratchet, 100-byte messages, one core (${process.version}, median of ${RUNS}; load average ${load})`);
console.log('');
console.log('| case                                     | msgs/s (wall) | us/msg (wall) | msgs/s (CPU) |');
console.log('|------------------------------------------|--------------:|--------------:|-------------:|');
for (const [name, r] of mainCases.map((c, i) => [c.name, [oneWayRate, persistRate, encRate, decRate, pingPongRate][i]!] as const)) {
  console.log(
    `| ${name.padEnd(40)} | ${fmt(r.wall).padStart(13)} | ${(1e6 / r.wall).toFixed(1).padStart(13)} | ${fmt(r.cpu).padStart(12)} |`,
  );
}
console.log('');
console.log('| primitive                                      | us/call (wall) |');
console.log('|------------------------------------------------|---------------:|');
for (const [name, us] of microUs) console.log(`| ${name.padEnd(46)} | ${us.toFixed(1).padStart(14)} |`);
console.log(
  JSON.stringify({
    oneWayMsgsPerSec: Math.round(oneWayRate.wall),
    pingPongMsgsPerSec: Math.round(pingPongRate.wall),
    oneWayPersistMsgsPerSec: Math.round(persistRate.wall),
    encryptPerSec: Math.round(encRate.wall),
    decryptPerSec: Math.round(decRate.wall),
    oneWayCpuMsgsPerSec: Math.round(oneWayRate.cpu),
    pingPongCpuMsgsPerSec: Math.round(pingPongRate.cpu),
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
  }),
);
