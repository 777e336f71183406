/**
 * What a headless-peer integration test starts, and its cleanup: the real signal server on port
 * 0, in-process peers (startNodePeer), CLI peers (`npm run peer`'s code in a child process) and
 * temp data dirs. Call `cleanup()` in afterEach. Run inside ../shared/tools/loopback-only.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SignalServer } from '../../signal-server/server';
import { startNodePeer, type NodePeer, type NodePeerOptions } from '../../web/headless/peer';
import { runCli, type Cli } from './headless-cli';
import { assertLoopbackOnly } from './loopback';
import { startServer } from './signal-harness';
import { waitFor } from './wrtc';

/**
 * Once `p` has joined and holds at least one contact, how many it holds. A first join that found
 * no one (its connection timed out on a loaded machine) is retried by the node itself
 * (RUNTIME_DEFAULTS.aloneRetryMs), so this waits for that instead of failing on the first.
 */
export async function joinedWithContacts(p: NodePeer, timeoutMs = 30_000): Promise<number> {
  await p.joined;
  await waitFor(() => p.dht.table.size >= 1, timeoutMs, 'a first contact');
  return p.dht.table.size;
}

export class PeerRig {
  private server_: SignalServer | undefined;
  private readonly peers: NodePeer[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly dirs: string[] = [];

  /** The server (checks that the test runs loopback-only first). */
  async start(): Promise<SignalServer> {
    assertLoopbackOnly();
    this.server_ = await startServer();
    return this.server_;
  }

  get server(): SignalServer {
    if (!this.server_) throw new Error('PeerRig: start() first');
    return this.server_;
  }

  async tempDir(prefix: string): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), prefix));
    this.dirs.push(d);
    return d;
  }

  /** An in-process peer on our server; closed by cleanup (or `forget` it once closed by the test). */
  async peer(dataDir: string, opts: Partial<NodePeerOptions> = {}): Promise<NodePeer> {
    const p = await startNodePeer({ signalUrl: this.server.wsUrl, dataDir, ...opts });
    this.peers.push(p);
    return p;
  }

  forget(p: NodePeer): void {
    const i = this.peers.indexOf(p);
    if (i >= 0) this.peers.splice(i, 1);
  }

  /** The peer CLI with `--signal <our server>` and `args`; killed by cleanup. */
  cli(args: string[], opts: { defaultTimeoutMs?: number } = {}): Cli {
    const c = runCli(['--signal', this.server.wsUrl, ...args], opts);
    this.children.push(c.p);
    return c;
  }

  async cleanup(): Promise<void> {
    for (const p of this.peers.splice(0)) await p.close();
    for (const c of this.children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    await this.server_?.close();
    this.server_ = undefined;
    for (const d of this.dirs.splice(0)) await rm(d, { recursive: true, force: true });
  }
}
