/** The runtime's stats snapshot (`p2p.stats()`): counters of every layer, as plain values. */
import type { DhtNode } from '../../shared/dht/node';
import type { LinkKeeper } from '../../shared/overlay/link-keeper';
import type { OverlayRouter } from '../../shared/overlay/overlay-router';
import type { RequestTunnel } from '../../shared/overlay/tunnel';
import type { RecordTable } from '../../shared/records/record-table';
import type { DhtValues } from '../../shared/records/values';
import type { SignalClient } from '../net/signal-client';
import type { WebRtcTransport } from '../net/webrtc-transport';
import type { SignalPaths } from './signal-paths';
import type { NodeStats, NodeStatus } from './types';

/** The parts of a running node the snapshot reads. */
export interface StatsSource {
  readonly id: string;
  readonly status: NodeStatus;
  readonly transport: WebRtcTransport;
  readonly dht: DhtNode;
  readonly values: DhtValues;
  readonly router: OverlayRouter;
  readonly tunnel: RequestTunnel | undefined;
  readonly links: LinkKeeper;
  readonly table: RecordTable;
  readonly client: SignalClient;
  readonly paths: SignalPaths;
}

export function nodeStats(n: StatsSource, own: { joinedAfterMs: number | undefined; welcomes: number; joins: number }): NodeStats {
  const rc = n.table.counters;
  return {
    id: n.id,
    status: n.status,
    joinedAfterMs: own.joinedAfterMs,
    transport: n.transport.stats(),
    dht: {
      contacts: n.dht.table.size,
      rpc: n.dht.rpc.counters.snapshot(),
      values: n.values.counters.snapshot(),
      overlay: n.router.counters.snapshot(),
      tunnel: n.tunnel?.counters.snapshot() ?? {},
      links: { wanted: n.links.links.size, ...n.links.counters.snapshot() },
      records: {
        size: n.table.size,
        own: n.table.ownCount,
        loaded: rc.loaded,
        loadSkipped: rc.loadSkipped,
        persistErrors: rc.persistErrors,
        added: rc.added,
        replaced: rc.replaced,
      },
    },
    signaling: {
      server: n.client.state,
      routes: n.paths.counts(),
      overlayDrops: { ...n.paths.overlay.drops },
      welcomes: own.welcomes,
      joins: own.joins,
    },
  };
}
