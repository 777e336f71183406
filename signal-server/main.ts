/**
 * CLI entry: `tsx signal-server/main.ts [flags]` or `p2p-signal [flags]` (see --help).
 * Prints the URL, logs JSON lines, and on SIGTERM/SIGINT closes every client with 1001 going away.
 */
import { helpText, parseConfig } from './config';
import { createLogger } from './log';
import { createSignalServer } from './server';

async function main(): Promise<void> {
  const cfg = parseConfig(process.argv.slice(2), process.env);
  if (!cfg.ok) {
    process.stderr.write(`p2p-signal: ${cfg.error}\n`);
    process.exit(2);
  }
  if (cfg.help) {
    process.stdout.write(helpText());
    return;
  }
  const log = createLogger(cfg.logLevel);
  const server = await createSignalServer({ ...cfg.options, log });
  const o = cfg.options;
  log.info('listening', {
    url: server.url,
    signal: server.wsUrl,
    static: o.staticDir ?? null,
    iceServers: o.iceServers?.length ?? 0,
    turnSecret: o.turnSecret ? `${o.turnSecret.urls.length} URL(s), credentials valid ${o.turnSecret.ttlSec} s` : 'off',
    allowedOrigins: o.allowedOrigins?.join(',') || '*',
    cluster: o.redis ? `${server.cluster.state} (instance ${server.cluster.instanceId}, ${o.redisChannels} channels)` : 'off',
  });
  process.stderr.write(`p2p-signal listening on ${server.url} (WebSocket ${server.wsUrl})\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal, connections: server.hub.size });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error('shutdown failed', { err: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`p2p-signal: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
