/** A routing-table contact: a peer's id (as words, see lookup/distance.ts), liveness and RTT estimate. */
import { WordId } from './lookup/distance';
import type { NodeId } from './node-id';
import type { RttSample } from './rtt';

/** Where a contact lives: the routing table's bucket, the one holder of its failure count. */
export interface ContactHome {
  failuresOf(c: Contact): number;
}

/**
 * A routing-table entry. Its id is kept only as inline words (no byte array per contact: at
 * 10,000 simulated nodes those arrays were a third of the heap).
 */
export class Contact extends WordId implements RttSample {
  lastSeen: number;
  srtt = 0;
  rttvar = 0;
  /** The bucket holding this contact (unset while it is only a replacement). */
  home: ContactHome | undefined = undefined;

  constructor(
    id: NodeId,
    readonly hex: string,
    now: number,
  ) {
    super(id);
    this.lastSeen = now;
  }

  /** Consecutive failed requests (the bucket keeps the count; a replacement has none). */
  get failures(): number {
    return this.home ? this.home.failuresOf(this) : 0;
  }
}
