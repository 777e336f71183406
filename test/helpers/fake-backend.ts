/**
 * A fake node status and network for component tests (join progress, banner, network view),
 * and an AppBackend over a FakeChatApi. Runs in the browser and in Node.
 */
import type { NodeStatus } from '../../web/runtime/types';
import type { AppBackend, NetApi, TabRole } from '../../web/app/backend';
import type { ChatConsoleApi } from '../../web/app/chat-api';
import type { NetworkSnapshot } from '../../web/app/network-snapshot';

const hex = (n: number): string => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, '0')).join('');

export class FakeNetApi implements NetApi {
  /** network() calls so far. */
  polls = 0;
  private current: NodeStatus | undefined;
  private readonly listeners = new Set<(s: NodeStatus) => void>();
  readonly id = hex(20);

  constructor(status?: Partial<NodeStatus>) {
    if (status) this.current = { phase: 'joined', signal: 'open', peers: 5, contacts: 12, records: 9, ownRecords: 2, ...status };
  }

  setStatus(s: Partial<NodeStatus>): void {
    this.current = { phase: 'connecting', signal: 'connecting', peers: 0, contacts: 0, records: 0, ownRecords: 0, ...this.current, ...s };
    for (const fn of [...this.listeners]) fn(this.current);
  }

  status(): NodeStatus | undefined {
    return this.current;
  }

  onStatus(fn: (s: NodeStatus) => void): () => void {
    this.listeners.add(fn);
    if (this.current) fn(this.current);
    return () => this.listeners.delete(fn);
  }

  async network(): Promise<NetworkSnapshot> {
    this.polls++;
    return fakeSnapshot(this.id, this.current);
  }
}

/** A plausible snapshot: contacts spread over the first buckets, some connected, a few lookups and records. */
export function fakeSnapshot(id: string, status?: NodeStatus): NetworkSnapshot {
  const now = Date.now();
  const flip = (level: number): string => {
    const first = Number.parseInt(id.slice(0, 8), 16) ^ (0x80000000 >>> level);
    return (first >>> 0).toString(16).padStart(8, '0') + hex(16);
  };
  const contacts = Array.from({ length: 14 }, (_, i) => {
    const level = i < 6 ? 0 : i < 10 ? 1 : i < 12 ? 2 : i - 9;
    return { id: flip(level), level, connected: i % 3 !== 2, link: i % 4 === 0 };
  });
  const buckets = [0, 1, 2, 3, 4].map((level) => ({
    level,
    sub: 0,
    size: contacts.filter((c) => c.level === level).length,
    replacements: 0,
  }));
  return {
    at: now,
    id,
    status: status ?? { phase: 'joined', signal: 'open', peers: 9, contacts: 14, records: 6, ownRecords: 2 },
    k: 20,
    buckets,
    contacts,
    connections: { open: 9, connecting: 1, maxOpen: 24, lifetime: 17, lifetimeLimit: 400, browserCap: 500, setupMsP50: 143 },
    signal: {
      state: status?.signal ?? 'open',
      routes: { overlay: 12, server: 5, relay: 1, fallback: 0, lost: 0, unroutable: 0, receivedOverlay: 10, receivedServer: 6 },
    },
    lookups: [
      { target: hex(20), kind: 'value', hops: 3, ms: 212, queries: 11, responses: 10, failures: 1, at: now - 4_000, found: 8 },
      { target: hex(20), kind: 'node', hops: 2, ms: 96, queries: 6, responses: 6, failures: 0, at: now - 30_000, found: 8 },
      { target: hex(20), kind: 'refresh', hops: 3, ms: 301, queries: 9, responses: 8, failures: 1, at: now - 95_000, found: 8 },
    ],
    records: {
      own: 2,
      replicas: 4,
      rows: [
        { target: hex(20), origin: 'own', bytes: 966, seq: 1_790_000_000, ageMs: 40_000 },
        { target: hex(20), origin: 'own', bytes: 966, seq: 1_790_000_000, ageMs: 41_000 },
        { target: hex(20), origin: 'replica', bytes: 966, seq: 1_789_999_000, ageMs: 300_000 },
      ],
    },
  };
}

export class FakeBackend implements AppBackend {
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly chat: ChatConsoleApi,
    readonly net: NetApi = new FakeNetApi({}),
    public role: TabRole = 'node',
    readonly profile = `test-${hex(4)}`,
  ) {}

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Switch role (as a takeover does) and tell the app. */
  setRole(role: TabRole): void {
    this.role = role;
    for (const fn of [...this.listeners]) fn();
  }
}
