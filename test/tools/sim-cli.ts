/**
 * npm run sim -- --nodes N --lookups L --seed S [--latency-ms 50] [--kill 0.25] [--k 20]
 *                [--alpha 3] [--beta 3] [--b 3] [--loss 0] [--bandwidth 0] [--unreachable 0]
 *                [--scenario NAME] [--json]
 * presence only: [--users U] [--flood F] [--scan-records R] [--scan-frames 1] [--find-minutes M]
 * chat only: [--users U] [--hours H]
 * [--curves native|noble]: the Curve25519 implementation (default native: Node's, same results,
 * about ten times faster; noble is the page's, test/sim/native-curves.ts)
 * Builds a simulated network of real DHT nodes and reports lookup quality against ground truth.
 * With --json the last line is one JSON object.
 */
import { parseArgs } from 'node:util';
import { createTestnet } from '../../shared/sim/testnet';
import { runLookups } from '../sim/scenarios/lookups';
import { scenarios } from '../sim/scenarios/index';
import { useCurves } from '../../shared/crypto/curves';
import { nativeCurves } from '../sim/native-curves';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    lookups: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    'latency-ms': { type: 'string', default: '50' },
    'join-spacing-ms': { type: 'string', default: '20' },
    kill: { type: 'string', default: '0' },
    k: { type: 'string', default: '20' },
    alpha: { type: 'string', default: '3' },
    beta: { type: 'string', default: '3' },
    b: { type: 'string', default: '3' },
    loss: { type: 'string', default: '0' },
    bandwidth: { type: 'string', default: '0' },
    unreachable: { type: 'string', default: '0' },
    webrtc: { type: 'boolean', default: false },
    scenario: { type: 'string' },
    users: { type: 'string' },
    flood: { type: 'string' },
    'scan-records': { type: 'string' },
    'scan-frames': { type: 'string' },
    'find-minutes': { type: 'string' },
    hours: { type: 'string' },
    disjoint: { type: 'string' },
    curves: { type: 'string', default: 'native' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

if (values.help) {
  console.log(
    'usage: npm run sim -- --nodes N --lookups L --seed S [--latency-ms 50] [--join-spacing-ms 20] [--kill 0.25] [--k 20] [--alpha 3] [--beta 3] [--b 3] [--loss 0] [--bandwidth BYTES_PER_S] [--unreachable 0.1] [--webrtc] [--scenario NAME] [--json]',
  );
  console.log('presence sizes: [--users U] [--flood REQUESTS] [--scan-records RECORDS] [--scan-frames FRACTION] [--find-minutes M]');
  console.log('chat sizes: [--users U] [--hours H]');
  console.log("curves: [--curves native|noble] (Node's Curve25519, the default, or the page's @noble/curves: same results)");
  console.log('eclipse: [--disjoint D] (D node-disjoint lookups per put and get instead of the values layer; an experiment)');
  console.log(`scenarios: ${Object.keys(scenarios).join(', ')}`);
  process.exit(0);
}

const num = (name: keyof typeof values): number => {
  const v = Number(values[name]);
  if (!Number.isFinite(v) || v < 0) {
    console.error(`--${name} must be a non-negative number`);
    process.exit(2);
  }
  return v;
};

if (values.curves !== 'native' && values.curves !== 'noble') {
  console.error('--curves must be native or noble');
  process.exit(2);
}
if (values.curves === 'native') useCurves(nativeCurves());

let peakHeap = 0;
const sampleHeap = () => {
  const h = process.memoryUsage().heapUsed;
  if (h > peakHeap) peakHeap = h;
};
const heapTimer = setInterval(sampleHeap, 200);
const started = performance.now();
const seed = num('seed');
/** Scenario sizes and the scenarios that read them: given to another, they are an error. */
const scenarioSizes = {
  users: ['presence', 'chat'],
  flood: ['presence'],
  'scan-records': ['presence'],
  'scan-frames': ['presence'],
  'find-minutes': ['presence'],
  hours: ['chat'],
  disjoint: ['eclipse'],
} as const;
const optional = (name: keyof typeof values): number | undefined => (values[name] === undefined ? undefined : num(name));
const log = (s: string) => (values.json ? process.stderr.write(`${s}\n`) : console.log(s));

async function main(): Promise<Record<string, unknown>> {
  if (values.scenario) {
    const run = scenarios[values.scenario];
    if (!run) {
      console.error(`unknown scenario ${values.scenario}; known: ${Object.keys(scenarios).join(', ')}`);
      process.exit(2);
    }
    for (const [name, readers] of Object.entries(scenarioSizes)) {
      if (values[name as keyof typeof scenarioSizes] === undefined || (readers as readonly string[]).includes(values.scenario)) continue;
      console.error(`--${name}: ${readers.join(' and ')} scenario only`);
      process.exit(2);
    }
    const summary = await run({
      seed,
      nodes: values.nodes === '1000' ? undefined : num('nodes'),
      users: optional('users'),
      flood: optional('flood'),
      scanRecords: optional('scan-records'),
      scanFrames: optional('scan-frames'),
      findMinutes: optional('find-minutes'),
      hours: optional('hours'),
      disjoint: optional('disjoint'),
      log,
      sampleHeap,
    });
    sampleHeap();
    return {
      ...summary,
      wallSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      peakHeapMB: Math.round(peakHeap / 2 ** 20),
      maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  }
  const nodes = num('nodes');
  const tn = createTestnet(nodes, {
    seed,
    joinSpacingMs: num('join-spacing-ms'),
    network: {
      latencyMs: num('latency-ms'),
      loss: num('loss'),
      bandwidth: num('bandwidth'),
      unreachable: num('unreachable'),
      ...(values.webrtc ? { connections: { setupRtts: 3, maxOpen: 24 } } : {}),
    },
    dht: { k: num('k'), alpha: num('alpha'), beta: num('beta'), bitsPerLevel: num('b') },
    onProgress: (j, n) => {
      sampleHeap();
      log(
        `joined ${j}/${n}  (${((performance.now() - started) / 1000).toFixed(1)} s wall, ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB heap)`,
      );
    },
  });
  const joinWall = (performance.now() - started) / 1000;
  const joinFrames = tn.net.counters.get('frames');
  const s = runLookups(tn, { lookups: num('lookups'), kill: num('kill') });
  sampleHeap();
  const contacts = tn.live().reduce((a, n) => a + n.node.table.size, 0) / Math.max(1, tn.live().length);
  const wall = (performance.now() - started) / 1000;
  // Live heap once garbage is collected (node --expose-gc): what the nodes really hold.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const live = gc ? process.memoryUsage().heapUsed : undefined;
  const held = tn.nodes.length; // keeps the network reachable until after the measurement
  return {
    nodes,
    lookups: s.lookups,
    success: s.success,
    kAccuracy: Number(s.kAccuracy.toFixed(4)),
    rounds: s.rounds,
    latencyMs: s.latencyMs,
    messages: { p50: s.messages.p50, p90: s.messages.p90 },
    killed: s.killed,
    contactsPerNode: Math.round(contacts),
    framesPerJoin: Math.round(joinFrames / nodes),
    joinWallSeconds: Number(joinWall.toFixed(1)),
    wallSeconds: Number(wall.toFixed(1)),
    peakHeapMB: Math.round(peakHeap / 2 ** 20),
    heapKBPerNode: Math.round(peakHeap / 1024 / nodes),
    ...(live !== undefined ? { liveHeapMB: Math.round(live / 2 ** 20), liveKBPerNode: Math.round(live / 1024 / held) } : {}),
    seed,
  };
}

main()
  .then((summary) => {
    clearInterval(heapTimer);
    if (!values.json) {
      for (const [k, v] of Object.entries(summary)) console.log(`${k.padEnd(18)} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
    }
    console.log(JSON.stringify(summary));
  })
  .catch((e) => {
    clearInterval(heapTimer);
    console.error(`sim failed (seed ${seed}):`, e);
    process.exit(1);
  });
