/** A peer as the DHT's engines see it: its id, and the id's hex (the map key everywhere). */
import type { NodeId } from './node-id';

export interface LookupPeer {
  readonly id: NodeId;
  readonly hex: string;
}
