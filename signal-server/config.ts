/**
 * CLI/env configuration: every option comes from a flag or an environment variable (flag wins).
 * `parseConfig(argv, env)` is pure so it can be tested; main.ts applies it.
 */
import type { IceServer } from '../shared/protocol/signaling';
import { NODE_PUZZLE_BITS } from '../shared/dht/constants';
import { MAX_PUZZLE_BITS } from '../shared/dht/node-puzzle';
import { DEFAULT_LIMITS, type HubLimits } from './hub';
import { isLogLevel, type LogLevel } from './log';
import type { SignalServerOptions } from './server';

type Kind = 'int' | 'string' | 'list' | 'bool' | 'json';

interface OptionSpec {
  flag: string;
  env: string;
  kind: Kind;
  help: string;
  def: string;
}

const LIMIT_FLAGS: { key: keyof HubLimits; flag: string; help: string; def?: number }[] = [
  { key: 'maxConnections', flag: 'max-connections', help: 'global cap on open WebSocket connections' },
  { key: 'maxConnectionsPerIp', flag: 'max-per-ip', help: 'cap on connections from one address' },
  { key: 'maxFrameBytes', flag: 'max-frame-bytes', help: 'largest accepted frame, bytes (<= 16384)' },
  { key: 'ratePerSec', flag: 'rate', help: 'token bucket: messages per second per connection' },
  { key: 'burst', flag: 'burst', help: 'token bucket: burst size' },
  { key: 'helloTimeoutMs', flag: 'hello-timeout-ms', help: 'time allowed to complete hello, ms' },
  { key: 'heartbeatMs', flag: 'heartbeat-ms', help: 'client ping interval / server ping of quiet clients, ms' },
  { key: 'idleTimeoutMs', flag: 'idle-timeout-ms', help: 'close connections silent this long, ms' },
  { key: 'maxBufferedBytes', flag: 'max-buffered-bytes', help: 'cut off clients whose unsent backlog passes this, bytes' },
  { key: 'slowConsumerMs', flag: 'slow-consumer-ms', help: 'cut off clients whose backlog stays over the limit this long, ms' },
  { key: 'inboundRatePerSec', flag: 'inbound-rate', help: 'relays per second one client may receive (all senders together)' },
  { key: 'inboundBurst', flag: 'inbound-burst', help: 'burst of that inbound budget' },
  { key: 'globalRatePerSec', flag: 'global-rate', help: 'server-wide frames/s admitted from bursting clients (quiet ones exempt)' },
  { key: 'globalBurst', flag: 'global-burst', help: 'burst of that server-wide budget' },
  { key: 'turnBudget', flag: 'turn-budget', help: 'frames from bursting clients admitted per event-loop turn' },
  { key: 'bootstrapPeers', flag: 'bootstrap-peers', help: 'peers per bootstrap sample (<= 8)' },
  { key: 'bytesPerToken', flag: 'bytes-per-token', help: 'a frame costs 1 token plus 1 per this many bytes' },
  { key: 'maxJsonDepth', flag: 'max-json-depth', help: 'deepest JSON nesting accepted in a frame (<= 64)' },
  { key: 'unknownTargetCost', flag: 'unknown-target-cost', help: 'extra tokens a relay to an absent id costs its sender' },
  { key: 'helloPerMin', flag: 'hello-per-min', help: 'new sessions (hellos) per minute from one address (IPv6: per /64)' },
  { key: 'helloBurst', flag: 'hello-burst', help: 'burst of that per-address hello budget' },
  { key: 'turnPerMinPerIp', flag: 'turn-per-min-ip', help: 'TURN credentials per minute for one address (IPv6: per /64)' },
  { key: 'turnPerMinPerId', flag: 'turn-per-min-id', help: 'TURN credentials per minute for one node id' },
  { key: 'maxPendingPerIp', flag: 'max-pending-per-ip', help: 'sockets from one address not yet upgraded (off with --trust-proxy)' },
  { key: 'maxPending', flag: 'max-pending', help: 'sockets in all not yet upgraded' },
  { key: 'upgradeTimeoutMs', flag: 'upgrade-timeout-ms', help: 'time a new socket has to send its request headers, ms' },
  {
    key: 'nodePuzzleBits',
    flag: 'node-puzzle-bits',
    help: `node ids must solve the id puzzle at this difficulty, as peers require (0 = off, <= ${MAX_PUZZLE_BITS})`,
    def: NODE_PUZZLE_BITS,
  },
];

const envName = (flag: string): string => `SIGNAL_${flag.toUpperCase().replace(/-/g, '_')}`;

export const OPTIONS: OptionSpec[] = [
  { flag: 'port', env: 'SIGNAL_PORT', kind: 'int', help: 'TCP port (0 = any free port); PORT is read when neither is given', def: '8080' },
  { flag: 'host', env: 'SIGNAL_HOST', kind: 'string', help: 'bind address (use 0.0.0.0 or :: to listen publicly)', def: '127.0.0.1' },
  { flag: 'static', env: 'SIGNAL_STATIC', kind: 'string', help: "directory of the built web app ('' = none)", def: 'dist' },
  {
    flag: 'allowed-origins',
    env: 'SIGNAL_ALLOWED_ORIGINS',
    kind: 'list',
    help: 'comma-separated Origins allowed on /signal (empty = any)',
    def: '',
  },
  {
    flag: 'trust-proxy',
    env: 'SIGNAL_TRUST_PROXY',
    kind: 'bool',
    help: 'take the client address from X-Forwarded-For (behind a reverse proxy)',
    def: 'false',
  },
  { flag: 'ice-servers', env: 'SIGNAL_ICE_SERVERS', kind: 'json', help: 'JSON array of RTCIceServer objects pushed to clients', def: '[]' },
  { flag: 'stun', env: 'SIGNAL_STUN', kind: 'list', help: 'comma-separated STUN URLs (stun:HOST:3478)', def: '' },
  {
    flag: 'turn',
    env: 'SIGNAL_TURN',
    kind: 'list',
    help: 'comma-separated TURN URLs (turn:HOST:3478?transport=udp,turns:HOST:5349)',
    def: '',
  },
  { flag: 'turn-username', env: 'SIGNAL_TURN_USERNAME', kind: 'string', help: 'TURN username', def: '' },
  { flag: 'turn-credential', env: 'SIGNAL_TURN_CREDENTIAL', kind: 'string', help: 'TURN password/credential', def: '' },
  {
    flag: 'turn-secret',
    env: 'SIGNAL_TURN_SECRET',
    kind: 'string',
    help: 'secret shared with the TURN server (coturn static-auth-secret): each client gets its own expiring credential',
    def: '',
  },
  {
    flag: 'turn-ttl',
    env: 'SIGNAL_TURN_TTL',
    kind: 'int',
    help: 'lifetime of a --turn-secret credential (given on request), seconds',
    def: '3600',
  },
  ...LIMIT_FLAGS.map((l) => ({
    flag: l.flag,
    env: envName(l.flag),
    kind: 'int' as const,
    help: l.help,
    def: String(l.def ?? DEFAULT_LIMITS[l.key]),
  })),
  {
    flag: 'overload-lag-ms',
    env: 'SIGNAL_OVERLOAD_LAG_MS',
    kind: 'int',
    help: 'event-loop lag that sheds bursting clients for 500 ms, ms',
    def: '50',
  },
  {
    flag: 'shutdown-grace-ms',
    env: 'SIGNAL_SHUTDOWN_GRACE_MS',
    kind: 'int',
    help: 'time clients get to acknowledge the 1001 close on shutdown, ms',
    def: '2000',
  },
  {
    flag: 'redis',
    env: 'SIGNAL_REDIS_URL',
    kind: 'string',
    help: 'redis://[user:pass@]host:port[/db]: run as one instance of a cluster sharing this Redis (or Valkey)',
    def: '',
  },
  {
    flag: 'redis-channels',
    env: 'SIGNAL_REDIS_CHANNELS',
    kind: 'string',
    help: 'how relays cross instances: instance (a channel per instance) or id (a sharded channel per node id)',
    def: 'instance',
  },
  { flag: 'redis-prefix', env: 'SIGNAL_REDIS_PREFIX', kind: 'string', help: 'prefix of the Redis keys and channels', def: 'p2p-signal:' },
  {
    flag: 'redis-lease-ms',
    env: 'SIGNAL_REDIS_LEASE_MS',
    kind: 'int',
    help: "lease of cluster entries (renewed every third): a dead instance's peers vanish after this, ms",
    def: '15000',
  },
  { flag: 'log-level', env: 'SIGNAL_LOG_LEVEL', kind: 'string', help: 'debug | info | warn | error | silent', def: 'info' },
];

export function helpText(): string {
  const lines = [
    'p2p-signal: the p2p-chat signaling/bootstrap server (HTTP static app, WebSocket /signal, /healthz, /metrics)',
    '',
    'Usage: p2p-signal [--flag value | --flag=value]...   (every flag also reads from its environment variable)',
    '',
  ];
  for (const o of OPTIONS) {
    lines.push(`  --${o.flag.padEnd(20)} ${o.env.padEnd(28)} ${o.help} [default: ${o.def === '' ? 'none' : o.def}]`);
  }
  lines.push(`  --${'help'.padEnd(20)} ${''.padEnd(28)} print this help`);
  return `${lines.join('\n')}\n`;
}

export type ParsedConfig =
  | { ok: true; help: true }
  | { ok: true; help: false; options: SignalServerOptions; logLevel: LogLevel }
  | { ok: false; error: string };

/** Parse argv (without node and script) and env into server options. Never throws. */
export function parseConfig(argv: readonly string[], env: Record<string, string | undefined>): ParsedConfig {
  const byFlag = new Map(OPTIONS.map((o) => [o.flag, o]));
  const raw = new Map<string, string>();
  // PORT is what PaaS and container platforms set; SIGNAL_PORT and --port win over it.
  if (env.PORT !== undefined) raw.set('port', env.PORT);
  for (const o of OPTIONS) {
    const v = env[o.env];
    if (v !== undefined) raw.set(o.flag, v);
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return { ok: true, help: true };
    if (!a.startsWith('--')) return { ok: false, error: `unexpected argument ${a}` };
    const eq = a.indexOf('=');
    const flag = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    const spec = byFlag.get(flag);
    if (!spec) return { ok: false, error: `unknown flag --${flag} (see --help)` };
    let value: string | undefined;
    if (eq >= 0) value = a.slice(eq + 1);
    else if (spec.kind === 'bool' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--'))) value = 'true';
    else value = argv[++i];
    if (value === undefined) return { ok: false, error: `--${flag} needs a value` };
    raw.set(flag, value);
  }
  const get = (flag: string): string => raw.get(flag) ?? byFlag.get(flag)!.def;
  const int = (flag: string): number | string => {
    const s = get(flag).trim();
    const n = Number(s);
    return /^\d+$/.test(s) && Number.isSafeInteger(n) ? n : `--${flag} must be a non-negative integer, got ${JSON.stringify(s)}`;
  };
  const list = (flag: string): string[] =>
    get(flag)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);

  const opts: SignalServerOptions = {};
  const port = int('port');
  if (typeof port === 'string') return { ok: false, error: port };
  if (port > 65535) return { ok: false, error: '--port out of range' };
  opts.port = port;
  opts.host = get('host');
  const stat = get('static');
  opts.staticDir = stat === '' ? null : stat;
  opts.allowedOrigins = list('allowed-origins');
  const tp = get('trust-proxy').toLowerCase();
  if (!['true', 'false', '1', '0', 'yes', 'no'].includes(tp)) return { ok: false, error: '--trust-proxy must be true or false' };
  opts.trustProxy = ['true', '1', 'yes'].includes(tp);
  for (const l of LIMIT_FLAGS) {
    const v = int(l.flag);
    if (typeof v === 'string') return { ok: false, error: v };
    opts[l.key] = v;
  }
  if ((opts.maxFrameBytes ?? 0) > 16384 || (opts.maxFrameBytes ?? 0) < 1024)
    return { ok: false, error: '--max-frame-bytes must be 1024..16384' };
  if ((opts.maxJsonDepth ?? 0) > 64 || (opts.maxJsonDepth ?? 0) < 4) return { ok: false, error: '--max-json-depth must be 4..64' };
  if ((opts.nodePuzzleBits ?? 0) < 0 || (opts.nodePuzzleBits ?? 0) > MAX_PUZZLE_BITS)
    return { ok: false, error: `--node-puzzle-bits must be 0..${MAX_PUZZLE_BITS}` };
  if (
    [opts.bytesPerToken, opts.helloPerMin, opts.helloBurst, opts.upgradeTimeoutMs, opts.maxPendingPerIp, opts.maxPending].some(
      (v) => (v ?? 0) < 1,
    )
  )
    return {
      ok: false,
      error: '--bytes-per-token, --hello-per-min, --hello-burst, --upgrade-timeout-ms and the pending caps must be >= 1',
    };
  if (
    [opts.ratePerSec, opts.burst, opts.inboundRatePerSec, opts.inboundBurst, opts.globalRatePerSec, opts.globalBurst].some(
      (v) => (v ?? 0) < 1,
    )
  ) {
    return { ok: false, error: 'rates and bursts must be >= 1' };
  }
  const grace = int('shutdown-grace-ms');
  if (typeof grace === 'string') return { ok: false, error: grace };
  opts.shutdownGraceMs = grace;
  const lag = int('overload-lag-ms');
  if (typeof lag === 'string') return { ok: false, error: lag };
  opts.overloadLagMs = lag;

  let ice: IceServer[];
  try {
    const parsed: unknown = JSON.parse(get('ice-servers'));
    if (!Array.isArray(parsed) || !parsed.every(isIceServer)) throw new Error();
    ice = parsed;
  } catch {
    return { ok: false, error: '--ice-servers must be a JSON array of {urls, username?, credential?}' };
  }
  const stun = list('stun');
  if (stun.length) ice.push({ urls: stun });
  const turn = list('turn');
  const secret = get('turn-secret');
  if (secret) {
    if (!turn.length) return { ok: false, error: '--turn-secret needs --turn URLs' };
    if (get('turn-username') || get('turn-credential'))
      return { ok: false, error: '--turn-secret replaces --turn-username/--turn-credential: give one or the other' };
    const ttl = int('turn-ttl');
    if (typeof ttl === 'string') return { ok: false, error: ttl };
    if (ttl < 60) return { ok: false, error: '--turn-ttl must be at least 60 seconds' };
    opts.turnSecret = { urls: turn, secret, ttlSec: ttl };
  } else if (turn.length) {
    const t: IceServer = { urls: turn };
    if (get('turn-username')) t.username = get('turn-username');
    if (get('turn-credential')) t.credential = get('turn-credential');
    ice.push(t);
  }
  for (const s of [...ice, ...(opts.turnSecret ? [{ urls: opts.turnSecret.urls }] : [])]) {
    const urls = Array.isArray(s.urls) ? s.urls : [s.urls];
    if (!urls.every((u) => /^(stun|stuns|turn|turns):/.test(u)))
      return { ok: false, error: `ICE server URL must start with stun:, stuns:, turn: or turns: (${urls.join(',')})` };
  }
  opts.iceServers = ice;
  const redis = get('redis').trim();
  if (redis) {
    if (!/^rediss?:\/\//.test(redis)) return { ok: false, error: '--redis must be a redis:// or rediss:// URL' };
    const channels = get('redis-channels');
    if (channels !== 'instance' && channels !== 'id') return { ok: false, error: '--redis-channels must be instance or id' };
    const lease = int('redis-lease-ms');
    if (typeof lease === 'string') return { ok: false, error: lease };
    if (lease < 300) return { ok: false, error: '--redis-lease-ms must be at least 300' };
    Object.assign(opts, { redis, redisChannels: channels, redisPrefix: get('redis-prefix'), redisLeaseMs: lease });
  }
  const level = get('log-level');
  if (!isLogLevel(level)) return { ok: false, error: '--log-level must be debug, info, warn, error or silent' };
  return { ok: true, help: false, options: opts, logLevel: level };
}

function isIceServer(v: unknown): v is IceServer {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const urls = o.urls;
  return (
    (typeof urls === 'string' || (Array.isArray(urls) && urls.length > 0 && urls.every((u) => typeof u === 'string'))) &&
    (o.username === undefined || typeof o.username === 'string') &&
    (o.credential === undefined || typeof o.credential === 'string')
  );
}
