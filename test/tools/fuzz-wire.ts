/**
 * Structured fuzzing of the DHT wire format and of a node that serves it.
 *   npm run fuzz:wire -- [--cases 1000000] [--seed N]
 * Each case takes a valid frame of a random type and applies one structured mutation: bit flips,
 * a length field rewritten (to 0, 1, 255, 256, 65535, the frame's own length ±1), truncation,
 * concatenation of two frames, nesting (the frame, mutated or not, as the inner of a tunnel, the
 * payload of a route or an app message, up to 4 deep), or random bytes behind a valid header.
 * Every input must decode to a message that re-encodes to exactly the same bytes, or throw a
 * WireError with a known code; then the same bytes go to a live node (records, overlay router,
 * tunnels, link keeper) from one of a few peers, which must serve or count them and never throw.
 * Cases slower than `slowMs` are reported. The last line is one JSON summary with the seed.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { SeededRng } from '../../shared/env/rng';
import { bytesToHex } from '../../shared/crypto/bytes';
import { DhtNode } from '../../shared/dht/node';
import { idToHex } from '../../shared/dht/node-id';
import type { Transport } from '../../shared/env/transport';
import { createOverlay } from '../../shared/overlay/setup';
import { decode, encode, type Message } from '../../shared/protocol/wire';
import { WireError, type WireErrorCode } from '../../shared/protocol/wire-error';
import { RecordTable } from '../../shared/records/record-table';
import { DhtValues } from '../../shared/records/values';
import { SimKeyring } from '../../shared/sim/sim-auth';
import { VirtualClock } from '../../shared/sim/virtual-clock';
import { randomMessage } from '../helpers/wire-gen';

export const WIRE_MUTATIONS = ['bitflip', 'length', 'truncate', 'concat', 'nest', 'garbage'] as const;
export type WireMutation = (typeof WIRE_MUTATIONS)[number];

const KNOWN: ReadonlySet<WireErrorCode> = new Set([
  'TRUNCATED',
  'BAD_VERSION',
  'UNKNOWN_TYPE',
  'LENGTH_OUT_OF_RANGE',
  'TRAILING_BYTES',
  'BAD_VALUE',
  'FRAME_TOO_LARGE',
]);

export interface WireFuzzSummary {
  target: 'wire';
  seed: number;
  cases: number;
  decoded: number;
  rejected: Record<string, number>;
  byMutation: Record<string, number>;
  nodeCounters: Record<string, number>;
  slowCases: number;
  /** Slow cases by mutation (a GC pause or a busy machine lands on any kind alike). */
  slowKinds: Record<string, number>;
  maxCaseMs: number;
  heapMB: number;
  wallSeconds: number;
}

/** One structured mutation of `frame`. */
export function mutate(rng: SeededRng, frame: Uint8Array, kind: WireMutation, depth = 0): Uint8Array {
  switch (kind) {
    case 'bitflip': {
      const out = frame.slice();
      const flips = 1 + rng.int(8);
      for (let i = 0; i < flips; i++) {
        const bit = rng.int(out.length * 8);
        out[bit >> 3] = out[bit >> 3]! ^ (0x80 >> (bit & 7));
      }
      return out;
    }
    case 'length': {
      // Rewrite one or two bytes past the header with a boundary value (a length field, mostly).
      const out = frame.slice();
      if (out.length <= 6) return out;
      const at = 6 + rng.int(out.length - 6);
      const values = [0, 1, 255, 256, 65535, frame.length - 1, frame.length, frame.length + 1, 8192, 8193];
      const v = values[rng.int(values.length)]! & 0xffff;
      if (rng.int(2) === 0 || at + 1 >= out.length) out[at] = v & 0xff;
      else {
        out[at] = v >> 8;
        out[at + 1] = v & 0xff;
      }
      return out;
    }
    case 'truncate':
      return frame.subarray(0, rng.int(frame.length));
    case 'concat': {
      const other = encode(randomMessage(rng, undefined, true));
      const out = new Uint8Array(frame.length + other.length);
      out.set(frame);
      out.set(other, frame.length);
      return out;
    }
    case 'nest': {
      const inner = depth < 4 && rng.int(3) === 0 ? mutate(rng, frame, WIRE_MUTATIONS[rng.int(WIRE_MUTATIONS.length)]!, depth + 1) : frame;
      const rid = rng.u32();
      const id = () => rng.bytes(20);
      const wrap = rng.int(3);
      const m: Message =
        wrap === 0
          ? { type: 'tunnel', rid, target: id(), ttl: rng.int(10), origin: id(), pk: rng.bytes(32), sig: rng.bytes(64), inner }
          : wrap === 1
            ? { type: 'route', rid, target: id(), ttl: rng.int(10), payload: inner }
            : { type: 'app', rid, payload: inner };
      try {
        return encode(m);
      } catch {
        return inner; // too large to wrap: the inner frame as it is
      }
    }
    case 'garbage': {
      const out = rng.bytes(6 + rng.int(200));
      out.set(frame.subarray(0, Math.min(6, frame.length)));
      return out;
    }
  }
}

/** A node with every extension the browser runs, fed frames from `PEERS` fake peers. */
function makeNode(seed: number) {
  const clock = new VirtualClock();
  const rng = new SeededRng(seed);
  const id = rng.bytes(20);
  let handler: (from: string, frame: Uint8Array) => void = () => {};
  const connected = new Set<string>();
  const transport: Transport = {
    send: () => {},
    onFrame: (h) => (handler = h),
    isConnected: (p) => connected.has(p),
  };
  const node = new DhtNode({ transport, clock, rng: rng.fork() }, { id, maintenance: false });
  const values = new DhtValues(node, new RecordTable({ clock }), { maintenance: false });
  const keyring = new SimKeyring(rng.fork());
  const overlay = createOverlay(
    node,
    {
      connectedPeers: () => connected,
      isConnected: (p) => connected.has(p),
      setWanted: () => {},
      deliver: () => {},
      auth: keyring.auth(id),
    },
    { maxOpen: 24 },
  );
  const peers = Array.from({ length: 8 }, () => idToHex(rng.bytes(20)));
  for (const p of peers.slice(0, 4)) connected.add(p);
  return { clock, node, values, overlay, peers, feed: (from: string, frame: Uint8Array) => handler(from, frame) };
}

export function fuzzWire(opts: { seed: number; cases: number; slowMs?: number; log?: (s: string) => void }): WireFuzzSummary {
  const started = performance.now();
  const rng = new SeededRng(opts.seed);
  const slowMs = opts.slowMs ?? 50;
  const n = makeNode(opts.seed ^ 0x5eed);
  const rejected: Record<string, number> = {};
  const byMutation: Record<string, number> = {};
  let decoded = 0;
  let slowCases = 0;
  const slowKinds: Record<string, number> = {};
  let maxCaseMs = 0;
  for (let i = 0; i < opts.cases; i++) {
    const kind = WIRE_MUTATIONS[rng.int(WIRE_MUTATIONS.length)]!;
    byMutation[kind] = (byMutation[kind] ?? 0) + 1;
    const frame = mutate(rng, encode(randomMessage(rng, undefined, true)), kind);
    const t0 = performance.now();
    const where = `seed ${opts.seed}, case ${i} (${kind})`;
    let msg: Message | undefined;
    try {
      msg = decode(frame);
    } catch (e) {
      if (!(e instanceof WireError)) throw new Error(`${where}: decode threw ${String(e)} for ${bytesToHex(frame.slice(0, 64))}`);
      if (!KNOWN.has(e.code)) throw new Error(`${where}: unknown WireError code ${e.code}`);
      rejected[e.code] = (rejected[e.code] ?? 0) + 1;
    }
    if (msg) {
      decoded++;
      if (bytesToHex(encode(msg)) !== bytesToHex(frame))
        throw new Error(`${where}: decode/encode differ for ${bytesToHex(frame.slice(0, 64))}`);
    }
    try {
      n.feed(n.peers[rng.int(n.peers.length)]!, frame);
    } catch (e) {
      throw new Error(`${where}: the node threw ${String(e)} for ${bytesToHex(frame.slice(0, 64))}`);
    }
    const ms = performance.now() - t0;
    if (ms > maxCaseMs) maxCaseMs = ms;
    if (ms > slowMs) {
      slowCases++;
      slowKinds[kind] = (slowKinds[kind] ?? 0) + 1;
    }
    if (i % 1000 === 999) n.clock.runFor(100); // let timers (request timeouts) fire, bounded
    if (opts.log && i % 100_000 === 99_999) opts.log(`wire fuzz: ${i + 1}/${opts.cases}`);
  }
  n.clock.runFor(10_000);
  const nodeCounters: Record<string, number> = {};
  const add = (c: Record<string, number>) => {
    for (const [k, v] of Object.entries(c)) if (k.startsWith('drop') || k.startsWith('recv.')) nodeCounters[k] = (nodeCounters[k] ?? 0) + v;
  };
  add(n.node.rpc.counters.snapshot());
  add(n.overlay.tunnel?.counters.snapshot() ?? {});
  return {
    target: 'wire',
    seed: opts.seed,
    cases: opts.cases,
    decoded,
    rejected,
    byMutation,
    nodeCounters,
    slowCases,
    slowKinds,
    maxCaseMs: Math.round(maxCaseMs * 10) / 10,
    heapMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    wallSeconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { cases: { type: 'string', default: '1000000' }, seed: { type: 'string', default: String(Date.now() % 2 ** 31) } },
  });
  const seed = Number(values.seed);
  try {
    console.log(JSON.stringify(fuzzWire({ seed, cases: Number(values.cases), log: (s) => process.stderr.write(`${s}\n`) })));
  } catch (e) {
    console.error(`fuzz failed (seed ${seed}):`, e);
    process.exit(1);
  }
}
