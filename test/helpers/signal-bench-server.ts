/**
 * Bench child: runs one signaling server (ours or the PeerJS server) on 127.0.0.1 and answers
 * memory/cpu queries over IPC, so the bench measures the server process alone.
 *   node --import tsx --expose-gc test/helpers/signal-bench-server.ts ours '{"maxConnections":30000}'
 */
import type { Server } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../signal-server/log';
import { createSignalServer, type SignalServerOptions } from '../../signal-server/server';

type Cmd = { cmd: 'mem'; gc: boolean } | { cmd: 'cpu' } | { cmd: 'stop' } | { cmd: 'stats' } | { cmd: 'reset-loop' };

const send = (m: unknown): void => void process.send!(m);
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const kind = process.argv[2] === 'peerjs' ? 'peerjs' : 'ours';
const opts = JSON.parse(process.argv[3] ?? '{}') as SignalServerOptions & { concurrent_limit?: number };

let stop: () => Promise<void>;
let stats: () => Record<string, number> = () => ({});

if (kind === 'ours') {
  const s = await createSignalServer({ port: 0, host: '127.0.0.1', staticDir: null, log: silentLogger, ...opts });
  stop = () => s.close();
  stats = () => ({
    connections: s.metrics.connections,
    peers: s.metrics.peers,
    relayed: s.metrics.relayed,
    rateLimitedTotal: s.metrics.rateLimitedTotal,
    droppedRateLimited: s.metrics.dropped.get('rate_limited') ?? 0,
    droppedUnknownTarget: s.metrics.dropped.get('unknown_target') ?? 0,
    slowConsumers: s.metrics.dropped.get('slow_consumer') ?? 0,
    droppedTargetBusy: s.metrics.dropped.get('target_busy') ?? 0,
    droppedBacklog: s.metrics.dropped.get('backlog') ?? 0,
    droppedOverload: s.metrics.dropped.get('overload') ?? 0,
    overloadEpisodes: s.metrics.overloadEpisodes,
    messagesIn: s.metrics.messagesIn,
    loopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e4) / 100,
    loopDelayMaxMs: Math.round(loopDelay.max / 1e4) / 100,
    cpuS: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e4) / 100,
    rejected: [...s.metrics.rejected.values()].reduce((a, b) => a + b, 0),
    clusterUp: s.metrics.cluster?.up ?? -1,
    forwarded: s.metrics.cluster?.forwarded ?? 0,
    received: s.metrics.cluster?.received ?? 0,
    clusterErrors: s.metrics.cluster?.errors ?? 0,
  });
  send({ port: s.port });
} else {
  const { PeerServer } = await import('peer');
  const server = await new Promise<Server>((resolve) => {
    const p = PeerServer({ port: 0, host: '127.0.0.1', path: '/', concurrent_limit: 1_000_000, alive_timeout: 600_000 }, (srv) =>
      resolve(srv as Server),
    );
    p.on('error', () => {});
  });
  // PeerJS has no shutdown of its WebSockets; the process exits right after.
  stop = () => Promise.resolve();
  send({ port: (server.address() as AddressInfo).port });
}

process.on('message', (m: Cmd) => {
  if (m.cmd === 'mem') {
    if (m.gc && globalThis.gc) {
      globalThis.gc();
      globalThis.gc();
    }
    const mu = process.memoryUsage();
    send({ rss: mu.rss, heapUsed: mu.heapUsed, external: mu.external });
  } else if (m.cmd === 'cpu') {
    const c = process.cpuUsage();
    send({ cpuUs: c.user + c.system, at: performance.now() });
  } else if (m.cmd === 'reset-loop') {
    loopDelay.reset();
    send({ ok: true });
  } else if (m.cmd === 'stats') {
    send(stats());
  } else if (m.cmd === 'stop') {
    const t = setTimeout(() => {
      send({ stopped: false });
      process.exit(0);
    }, 3000);
    stop().finally(() => {
      clearTimeout(t);
      send({ stopped: true });
      process.exit(0);
    });
  }
});
process.on('disconnect', () => process.exit(0));
