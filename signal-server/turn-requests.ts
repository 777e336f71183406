/**
 * TURN credentials on request (`turn` frames) for the hub (hub.ts): the minter (turn-rest.ts) and
 * the per-address and per-id budgets that bound how many credentials one client gets.
 */
import type { Conn, HubComponents } from './conn';
import type { HubLimits } from './limits';
import type { IceServer, SignalErrorCode } from '../shared/protocol/signaling';
import { KeyedBuckets } from './token-bucket';

/** TURN credentials minted per node id on request (turn-rest.ts). */
export interface TurnMinter {
  mint(nodeId: string): IceServer;
  /** How long a minted credential stays valid, seconds. */
  readonly ttlSec: number;
}

/** The hub's frame writers, as TURN requests use them. */
export interface TurnWriter {
  send(conn: Conn, frame: string): boolean;
  /** Count and answer a bad frame; the connection stays open. */
  reject(conn: Conn, code: SignalErrorCode, message: string, ref?: number): void;
  /** A request refused by a budget: RATE_LIMITED with its ref, counted under `reason`. */
  limited(conn: Conn, reason: string, message: string, ref: number | undefined): void;
}

export class TurnRequests {
  /** TURN credentials per address and per node id. */
  private readonly perIp: KeyedBuckets;
  private readonly perId: KeyedBuckets;

  constructor(
    private readonly c: HubComponents,
    private readonly limits: HubLimits,
    /** None: `turn` is refused. */
    private readonly minter: TurnMinter | null,
    private readonly out: TurnWriter,
  ) {
    this.perIp = new KeyedBuckets(limits.turnPerMinPerIp / 60, Math.max(1, limits.turnPerMinPerIp));
    this.perId = new KeyedBuckets(limits.turnPerMinPerId / 60, Math.max(1, limits.turnPerMinPerId));
  }

  /** TURN credentials for this node id, within the per-address and per-id budgets. */
  request(conn: Conn, id: number | undefined): void {
    const nodeId = conn.nodeId;
    if (nodeId === null) return this.out.reject(conn, 'NOT_AUTHENTICATED', 'hello first', id);
    if (!this.minter) return this.out.reject(conn, 'UNKNOWN_TYPE', 'this server gives no TURN credentials', id);
    const now = this.c.clock.now();
    if (!this.perId.take(nodeId, now))
      return this.out.limited(conn, 'turn_limited', `TURN credentials: at most ${this.limits.turnPerMinPerId}/min per id`, id);
    if (!this.perIp.take(conn.key, now)) {
      this.perId.refund(nodeId, now);
      return this.out.limited(conn, 'turn_limited', `TURN credentials: at most ${this.limits.turnPerMinPerIp}/min per address`, id);
    }
    this.c.metrics.turnCredentials++;
    const ice = JSON.stringify([this.minter.mint(nodeId)]);
    this.out.send(conn, `{"t":"turn",${id === undefined ? '' : `"id":${id},`}"iceServers":${ice},"ttlSec":${this.minter.ttlSec}}`);
  }

  /** Forget budgets that have refilled (the hub's sweep). */
  prune(now: number): void {
    this.perIp.prune(now);
    this.perId.prune(now);
  }
}
