/** Counters and gauges, rendered in the Prometheus text exposition format at /metrics. */
export class SignalMetrics {
  /** Open sockets, authenticated or not. */
  connections = 0;
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
    one('signal_rate_limited_clients', 'gauge', 'Clients currently paused by their token bucket.', this.rateLimitedNow);
    one('signal_rate_limited_total', 'counter', 'Times a client was paused by its token bucket.', this.rateLimitedTotal);
    one('signal_messages_received_total', 'counter', 'Frames received from clients.', this.messagesIn);
    one('signal_messages_relayed_total', 'counter', 'Relay messages delivered to their target.', this.relayed);
    one('signal_bytes_in_total', 'counter', 'Payload bytes of frames received.', this.bytesIn);
    one('signal_bytes_out_total', 'counter', 'Payload bytes of frames sent.', this.bytesOut);
    one('signal_overload_episodes_total', 'counter', 'Times the event loop lagged and bursting clients were shed.', this.overloadEpisodes);
    one('signal_hello_ok_total', 'counter', 'Successful hellos.', this.helloOk);
    one('signal_hello_failed_total', 'counter', 'Hellos with a bad signature.', this.helloFailed);
    labelled('signal_messages_dropped_total', 'Frames dropped, by reason.', this.dropped);
    labelled('signal_connections_rejected_total', 'Connections refused, by reason.', this.rejected);
    labelled('signal_connections_closed_total', 'Connections closed by the server, by reason.', this.closed);
    for (const [k, v] of Object.entries(extra)) one(k, 'gauge', `${k.replace(/_/g, ' ')}.`, v);
    return `${out.join('\n')}\n`;
  }
}
