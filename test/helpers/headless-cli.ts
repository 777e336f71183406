/** Run the headless peer's CLI (web/headless/main.ts) as a child process and read its JSON log lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../web/headless/main.ts', import.meta.url));

export interface Cli {
  p: ChildProcess;
  lines: Array<Record<string, unknown>>;
  /** The first line whose `msg` is `msg`; throws when the process exits or the time is up. */
  waitLine(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

export function runCli(args: string[], opts: { defaultTimeoutMs?: number } = {}): Cli {
  const p = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  let buf = '';
  p.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ raw: line });
      }
    }
  });
  p.stderr!.on('data', (d: Buffer) => process.stderr.write(`[peer stderr] ${d.toString()}`));
  const exited = new Promise<number | null>((res) => p.on('exit', (c) => res(c)));
  const waitLine = async (msg: string, timeoutMs = opts.defaultTimeoutMs ?? 20_000) => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const l = lines.find((x) => x.msg === msg);
      if (l) return l;
      if (Date.now() > end || p.exitCode !== null) throw new Error(`no "${msg}" line; got ${JSON.stringify(lines)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { p, lines, waitLine, exited };
}
