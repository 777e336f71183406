/**
 * Which contacts are online: when each was last heard from (any authenticated message, a pong, a
 * pull) and the node ids it was heard on or its presence record names. A contact heard within
 * CHAT_TIMERS.onlineWindowMs is online; the nodes of online contacts are our chat partners (the
 * transport protects their connections).
 */
import { CHAT_TIMERS } from './constants';

export interface OnlineHost {
  readonly now: number;
  /** A contact went online or offline. */
  emitPresence(contactId: string, online: boolean): void;
  /** The nodes of online contacts, after each change. */
  readonly c: {
    readonly partners?: ((nodes: Set<string>) => void) | undefined;
    readonly callers?: ((nodes: ReadonlySet<string>) => void) | undefined;
  };
}

export class OnlineBook {
  readonly nodesOf = new Map<string, string[]>();
  private readonly lastHeard = new Map<string, number>();

  constructor(private readonly h: OnlineHost) {}

  lastHeardAt(contactId: string): number | undefined {
    return this.lastHeard.get(contactId);
  }

  isOnline(contactId: string): boolean {
    const t = this.lastHeard.get(contactId);
    return t !== undefined && this.h.now - t < CHAT_TIMERS.onlineWindowMs;
  }

  heard(contactId: string): void {
    const was = this.isOnline(contactId);
    this.lastHeard.set(contactId, this.h.now);
    if (!was) this.h.emitPresence(contactId, true);
    this.updatePartners();
  }

  unreachable(contactId: string): void {
    if (!this.lastHeard.delete(contactId)) return;
    this.h.emitPresence(contactId, false);
    this.updatePartners();
  }

  /** A removed contact: nothing of it is kept. */
  forget(contactId: string): void {
    this.lastHeard.delete(contactId);
    this.nodesOf.delete(contactId);
  }

  /** Whether `node` is a node of a contact that `accepted` says yes to. */
  isNodeOf(node: string, accepted: (contactId: string) => boolean): boolean {
    for (const [id, nodes] of this.nodesOf) if (nodes.includes(node) && accepted(id)) return true;
    return false;
  }

  /** Once a tick: the transport told which nodes may call us; contacts not heard from within the window go offline. */
  tick(contactNodes: ReadonlySet<string>): void {
    this.h.c.callers?.(contactNodes);
    for (const [id, t] of this.lastHeard) {
      if (this.h.now - t < CHAT_TIMERS.onlineWindowMs) continue;
      this.lastHeard.delete(id);
      this.h.emitPresence(id, false);
    }
    this.updatePartners();
  }

  private updatePartners(): void {
    const partners = this.h.c.partners;
    if (!partners) return;
    const nodes = new Set<string>();
    for (const id of this.lastHeard.keys()) for (const n of this.nodesOf.get(id) ?? []) nodes.add(n);
    partners(nodes);
  }
}

/** Nodes kept per contact: the newest first. */
const NODES_PER_CONTACT = 4;

/** `node` answered for `contactId` (a message, a ping, a pong): first in its list, if not there already. */
export function noteNode(nodesOf: Map<string, string[]>, contactId: string, node: string): void {
  const known = nodesOf.get(contactId) ?? [];
  if (!known.includes(node)) nodesOf.set(contactId, [node, ...known].slice(0, NODES_PER_CONTACT));
}
