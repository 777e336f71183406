/**
 * Relay forwarding for the hub (hub.ts): a relay frame validated from its scan's spans, the
 * target's inbound budget, delivery to a local client or through the cluster, and the error frame
 * when a relay is not delivered. Payloads stay the sender's own text (frame-scan.ts). Also the
 * small span and error-frame helpers the hub shares with it.
 */
import { MAX_REQUEST_ID, NODE_ID_RE, type ErrorMsg, type SignalErrorCode } from '../shared/protocol/signaling';
import type { Cluster, RelayFailure } from './cluster/cluster';
import type { Conn, HubComponents } from './conn';
import type { FlowControl } from './flow-control';
import type { Span } from './frame-scan';
import type { HubLimits } from './limits';
import type { PeerDirectory } from './peer-directory';
import { TokenBucket } from './token-bucket';

/** The hub's frame writers, as the relay uses them. */
export interface RelayWriter {
  /** Send unless the client's backlog is over the limit; false when dropped. */
  send(conn: Conn, frame: string): boolean;
  sendError(conn: Conn, err: ErrorMsg): void;
  /** Count and answer a bad frame; the connection stays open. */
  reject(conn: Conn, code: SignalErrorCode, message: string, ref?: number): void;
}

export class Relay {
  constructor(
    private readonly c: HubComponents,
    private readonly limits: HubLimits,
    private readonly peers: PeerDirectory,
    private readonly cluster: Cluster,
    private readonly flow: FlowControl,
    private readonly out: RelayWriter,
  ) {}

  /**
   * A relay frame, validated from the scan's spans: the same checks as parseClientMessage, in the
   * same order, with the payload kept as the sender's text.
   */
  frame(conn: Conn, text: string, members: Map<string, Span>): void {
    const idSpan = members.get('id');
    let id: number | undefined;
    if (idSpan !== undefined) {
      const v = jsonAt(text, idSpan);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_REQUEST_ID) return this.out.reject(conn, 'MALFORMED', 'bad id');
      id = v;
    }
    const toSpan = members.get('to');
    const to = toSpan === undefined ? null : stringAt(text, toSpan);
    if (to === null || !NODE_ID_RE.test(to)) return this.out.reject(conn, 'MALFORMED', 'bad relay target', id);
    const payload = members.get('payload');
    if (payload === undefined) return this.out.reject(conn, 'MALFORMED', 'missing payload', id);
    if (conn.nodeId === null) return this.out.reject(conn, 'NOT_AUTHENTICATED', 'hello first', id);
    this.relay(conn, to, text.slice(payload.start, payload.end), id);
  }

  /** Forward `payload` (the sender's own JSON text, already validated) to `to`. */
  private relay(conn: Conn, to: string, payload: string, id: number | undefined): void {
    const target = this.peers.get(to);
    // Refuse before the frame is built: unknown here (and no cluster to ask), or over the
    // target's inbound budget (many senders aiming at one node).
    const refused = target
      ? this.inboundFull(target, conn.quiet)
        ? 'TARGET_BUSY'
        : null
      : this.cluster.state === 'ok'
        ? null
        : 'UNKNOWN_TARGET';
    if (refused) {
      this.c.metrics.drop(refused.toLowerCase());
      return this.failed(conn, id, refused, to);
    }
    const frame = `{"t":"relay","from":"${conn.nodeId}","payload":${payload}}`;
    if (!target) {
      if (this.cluster.relay(to, frame, conn.nodeId!, id)) return;
      this.c.metrics.drop('unknown_target');
      return this.failed(conn, id, 'UNKNOWN_TARGET', to);
    }
    const failed = this.deliverTo(target, frame);
    if (failed) this.failed(conn, id, failed, to, target.closed ? 'target cut off (slow consumer)' : 'target backlog full');
  }

  /** A relay frame another instance forwarded (ClusterHost.deliver): deliver it here, or say why not. */
  deliverRemote(to: string, frame: string): RelayFailure | null {
    const target = this.peers.get(to);
    // Whether the remote sender was quiet is not known here: it gets the budget without the reserve.
    const failed = !target ? 'UNKNOWN_TARGET' : this.inboundFull(target, false) ? 'TARGET_BUSY' : null;
    if (failed) this.c.metrics.drop(failed.toLowerCase());
    return failed ?? this.deliverTo(target!, frame);
  }

  /**
   * Take from the target's inbound budget; true when it is empty. The last quarter of the budget is
   * kept for quiet senders (well under their own rate), so a crowd of busy senders aiming at one
   * node cannot lock out the ones that send it an occasional offer.
   */
  private inboundFull(target: Conn, senderQuiet: boolean): boolean {
    const now = this.c.clock.now();
    const l = this.limits;
    target.inbound ??= new TokenBucket(l.inboundRatePerSec, l.inboundBurst, now);
    return !target.inbound.take(now, 1, senderQuiet ? 0 : Math.floor(l.inboundBurst / 4));
  }

  /** Write a relay frame to a local client whose inbound budget has been charged. */
  private deliverTo(target: Conn, frame: string): RelayFailure | null {
    if (!this.out.send(target, frame)) return target.closed ? 'UNKNOWN_TARGET' : 'TARGET_BUSY';
    this.c.metrics.relayed++;
    return null;
  }

  /** Tell `conn` its relay (request `ref`) to `target` was not delivered. Counting is the caller's. */
  failed(conn: Conn, ref: number | undefined, code: RelayFailure, target: string, detail?: string): void {
    let message = detail;
    if (code === 'TARGET_BUSY') message ??= 'target inbound budget exhausted';
    else if (this.cluster.state === 'degraded') message ??= 'not connected to this instance, and the cluster is unreachable';
    // An answer that says who is not online is worth probing for: it costs extra (docs/signaling.md).
    if (code === 'UNKNOWN_TARGET') this.flow.charge(conn, this.limits.unknownTargetCost);
    const err: ErrorMsg = { t: 'error', code, target };
    if (message !== undefined) err.message = message;
    this.out.sendError(conn, withRef(err, ref));
  }
}

/** `err` with `ref` set when the request had an id. */
export function withRef(err: ErrorMsg, ref: number | undefined): ErrorMsg {
  if (ref !== undefined) err.ref = ref;
  return err;
}

/** The string a member's span holds, or null when it is not a string. */
export function stringAt(text: string, span: Span): string | null {
  if (text.charCodeAt(span.start) !== 34) return null;
  const raw = text.slice(span.start + 1, span.end - 1);
  return raw.includes('\\') ? (JSON.parse(text.slice(span.start, span.end)) as string) : raw;
}

/** The JSON value of a small member (already validated by the scan). */
function jsonAt(text: string, span: Span): unknown {
  return JSON.parse(text.slice(span.start, span.end));
}
