/** Counters and gauges, rendered in the Prometheus text exposition format at /metrics. */
export interface ClusterMetrics {
  /** 1 while joined to the shared store, 0 while degraded (serving local clients only). */
  up: number;
  /** Relays handed to another instance (it received them). */
  forwarded: number;
  /** Relays received from other instances for local clients. */
  received: number;
  /** Times this instance re-registered its clients after the store came back (the first join included). */
  resyncs: number;
  /** Store commands that failed or timed out. */
  errors: number;
}

export class SignalMetrics {
  /** Open sockets, authenticated or not. */
  connections = 0;
  /** TCP sockets accepted that have not finished a WebSocket upgrade (HTTP requests included). */
  pendingSockets = 0;
  /** Authenticated peers (node id proven). */
  peers = 0;
  /** Clients currently paused by their token bucket. */
  rateLimitedNow = 0;
  rateLimitedTotal = 0;
  messagesIn = 0;
  relayed = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Times the event loop lagged and bursting clients were shed. */
  overloadEpisodes = 0;
  helloOk = 0;
  helloFailed = 0;
  /** TURN credentials minted on request. */
  turnCredentials = 0;
  /** Set when the server is one instance of a cluster (--redis); absent, nothing cluster-related is rendered. */
  cluster: ClusterMetrics | null = null;
  readonly dropped = new Map<string, number>();
  readonly rejected = new Map<string, number>();
  readonly closed = new Map<string, number>();

  drop(reason: string): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
  }
  reject(reason: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }
  close(reason: string): void {
    this.closed.set(reason, (this.closed.get(reason) ?? 0) + 1);
  }

  render(extra: Record<string, number> = {}): string {
    const out: string[] = [];
    const one = (name: string, type: 'counter' | 'gauge', help: string, v: number): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${v}`);
    };
    const labelled = (name: string, help: string, m: Map<string, number>): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [k, v] of [...m].sort()) out.push(`${name}{reason="${k}"} ${v}`);
    };
    one('signal_connected_peers', 'gauge', 'Authenticated peers currently connected.', this.peers);
    one('signal_connections', 'gauge', 'Open WebSocket connections, authenticated or not.', this.connections);
    one('signal_pending_sockets', 'gauge', 'Sockets accepted that have not finished a WebSocket upgrade.', this.pendingSockets);
    one('signal_rate_limited_clients', 'gauge', 'Clients currently paused by their token bucket.', this.rateLimitedNow);
    one('signal_rate_limited_total', 'counter', 'Times a client was paused by its token bucket.', this.rateLimitedTotal);
    one('signal_messages_received_total', 'counter', 'Frames received from clients.', this.messagesIn);
    one('signal_messages_relayed_total', 'counter', 'Relay messages delivered to their target.', this.relayed);
    one('signal_bytes_in_total', 'counter', 'Payload bytes of frames received.', this.bytesIn);
    one('signal_bytes_out_total', 'counter', 'Payload bytes of frames sent.', this.bytesOut);
    one('signal_overload_episodes_total', 'counter', 'Times the event loop lagged and bursting clients were shed.', this.overloadEpisodes);
    one('signal_hello_ok_total', 'counter', 'Successful hellos.', this.helloOk);
    one('signal_hello_failed_total', 'counter', 'Hellos with a bad signature.', this.helloFailed);
    one('signal_turn_credentials_total', 'counter', 'TURN credentials minted on request.', this.turnCredentials);
    const c = this.cluster;
    if (c) {
      one('signal_cluster_up', 'gauge', 'Joined to the cluster store (1) or degraded, serving local clients only (0).', c.up);
      one('signal_cluster_relays_forwarded_total', 'counter', 'Relays handed to another instance.', c.forwarded);
      one('signal_cluster_relays_received_total', 'counter', 'Relays from other instances for local clients.', c.received);
      one('signal_cluster_resyncs_total', 'counter', 'Times local clients were re-registered in the cluster store.', c.resyncs);
      one('signal_cluster_errors_total', 'counter', 'Cluster store commands that failed or timed out.', c.errors);
    }
    labelled('signal_messages_dropped_total', 'Frames dropped, by reason.', this.dropped);
    labelled('signal_connections_rejected_total', 'Connections refused, by reason.', this.rejected);
    labelled('signal_connections_closed_total', 'Connections closed by the server, by reason.', this.closed);
    for (const [k, v] of Object.entries(extra)) one(k, 'gauge', `${k.replace(/_/g, ' ')}.`, v);
    return `${out.join('\n')}\n`;
  }
}
