/**
 * The layering the compiler enforces, checked on probes: a copy of the source tree gets one
 * offending file (DOM or Node API in shared/, an import from web/ or signal-server/ into shared/,
 * shared/dht importing the simulator), and the shared/ project must then fail to compile, with
 * the expected error. Without a probe it must compile. Run by test/unit/layering.test.ts; also a CLI:
 *   npx tsx test/tools/check-layering.ts
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

export interface Probe {
  name: string;
  /** Path of the probe file inside the tree, and its text; undefined: the tree as it is. */
  file?: { path: string; text: string };
  /** The project compiled. */
  project: string;
  /** Error codes of which at least one must appear (empty: must compile). */
  expect: string[];
}

export const PROBES: Probe[] = [
  { name: 'clean tree compiles', project: 'shared', expect: [] },
  {
    name: 'document in shared/',
    project: 'shared',
    file: { path: 'shared/dht/probe.ts', text: 'export const t = document.title;\n' },
    expect: ['TS2584', 'TS2304'],
  },
  {
    name: 'window in shared/',
    project: 'shared',
    file: { path: 'shared/probe.ts', text: 'export const w = window.innerWidth;\n' },
    expect: ['TS2304'],
  },
  {
    name: 'process in shared/',
    project: 'shared',
    file: { path: 'shared/records/probe.ts', text: 'export const e = process.env.HOME;\n' },
    expect: ['TS2580', 'TS2591', 'TS2304'],
  },
  {
    name: 'node: import in shared/',
    project: 'shared',
    file: { path: 'shared/probe.ts', text: "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n" },
    expect: ['TS2307', 'TS2591'],
  },
  {
    name: 'shared/ imports web/',
    project: 'shared',
    file: { path: 'shared/probe.ts', text: "import { backoffDelay } from '../web/net/backoff';\nexport const b = backoffDelay;\n" },
    expect: ['TS6307', 'TS6059'],
  },
  {
    name: 'shared/ imports signal-server/',
    project: 'shared',
    file: {
      path: 'shared/probe.ts',
      text: "import { TokenBucket } from '../signal-server/token-bucket';\nexport const t = TokenBucket;\n",
    },
    expect: ['TS6307', 'TS6059'],
  },
  {
    name: 'shared/dht imports shared/sim',
    project: 'shared',
    file: { path: 'shared/dht/probe.ts', text: "import { VirtualClock } from '../sim/virtual-clock';\nexport const c = VirtualClock;\n" },
    expect: ['TS6307'],
  },
];

export interface ProbeResult {
  probe: Probe;
  ok: boolean;
  codes: string[];
  output: string;
}

/** Compile `probe.project` in a copy of the tree with the probe file added. */
export async function runProbe(probe: Probe): Promise<ProbeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'layering-'));
  try {
    for (const p of ['shared', 'web', 'signal-server', 'tsconfig.base.json']) await cp(join(ROOT, p), join(dir, p), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    if (probe.file) await writeFile(join(dir, probe.file.path), probe.file.text);
    const output = await new Promise<string>((done) => {
      execFile(
        process.execPath,
        [
          TSC,
          '-p',
          join(dir, probe.project, 'tsconfig.json'),
          '--outDir',
          join(dir, 'out'),
          '--tsBuildInfoFile',
          join(dir, 'out/tsbuildinfo'),
        ],
        { timeout: 120_000 },
        (_err, stdout, stderr) => done(stdout + stderr),
      );
    });
    const codes = [...new Set([...output.matchAll(/error (TS\d+)/g)].map((m) => m[1]!))];
    const ok = probe.expect.length === 0 ? codes.length === 0 : codes.some((c) => probe.expect.includes(c));
    return { probe, ok, codes, output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let failed = 0;
  for (const p of PROBES) {
    const r = await runProbe(p);
    console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${p.name}: ${r.codes.join(', ') || 'compiles'}`);
    if (!r.ok) failed++;
  }
  process.exit(failed ? 1 : 0);
}
