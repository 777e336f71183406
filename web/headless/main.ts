/**
 * CLI: `npm run peer -- --signal ws://127.0.0.1:8080/signal --data ./peer-data`
 * (or SIGNAL_URLS / P2P_SIGNAL and P2P_DATA); `--keep-for <address link>` makes it that identity's
 * mail keeper. Several comma-separated signaling URLs are instances
 * of one service: the peer fails over between them. Logs JSON lines, including its node id;
 * SIGTERM/SIGINT stop it cleanly (exit 0).
 */
import { startNodePeer, type LogFn } from './peer';

const HELP = `Usage: npm run peer -- [--signal URL[,URL...]] [--data DIR]
  --signal URLS  signaling endpoint, or comma-separated instances of one service to fail over
                 between (env SIGNAL_URLS, or P2P_SIGNAL)   default ws://127.0.0.1:8080/signal
  --data DIR     identity and records directory (env P2P_DATA)   default ./peer-data
  --keep-for LINK
                 be the mail keeper of the identity with this address link (or identity key):
                 accept its contact request and hold its mail while it is away (env P2P_KEEP_FOR)
  --help`;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const log: LogFn = (level, msg, fields = {}) => {
  process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields })}\n`);
};

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const signalUrl = arg('signal') ?? process.env.SIGNAL_URLS ?? process.env.P2P_SIGNAL ?? 'ws://127.0.0.1:8080/signal';
  const dataDir = arg('data') ?? process.env.P2P_DATA ?? './peer-data';
  const keepFor = arg('keep-for') ?? process.env.P2P_KEEP_FOR;
  const peer = await startNodePeer({ signalUrl, dataDir, log, ...(keepFor ? { keepFor } : {}) });
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log('info', 'shutting down', { signal: sig });
    void peer.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  log('error', 'fatal', { error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});
