/**
 * Where a CPU profile's time goes: `tsx test/tools/cpuprofile-top.ts FILE.cpuprofile [N]` prints the
 * N (default 30) functions with the most self time, and the share of each script (by URL's last
 * path part), from a V8 / Chromium `.cpuprofile` (node --cpu-prof, or the chat bench's BENCH_PROF).
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

async function main(): Promise<void> {
  const [file, n = '30'] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpuprofile-top FILE.cpuprofile [N]');
  const p = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  const byScript = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const f = byId.get(id)?.callFrame;
    if (!f) return;
    const script = f.url.split('/').pop() || '(native)';
    const key = `${f.functionName || '(anonymous)'}  ${script}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    byScript.set(script, (byScript.get(script) ?? 0) + dt);
    total += dt;
  });
  const pct = (x: number) => `${((100 * x) / total).toFixed(1)}%`.padStart(6);
  console.log(`total ${(total / 1000).toFixed(0)} ms in ${p.samples.length} samples`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${pct(v)}  ${k}`);
  console.log('by script:');
  for (const [k, v] of [...byScript].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${pct(v)}  ${k}`);
}

await main();
