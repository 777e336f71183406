/**
 * What the app's elements talk to: the chat API (`p2p.chat`, chat-api.ts) and, for the join
 * progress and the network view, the node's status and `p2p.network()`. In the tab that runs the
 * node these are the node's own; in another tab of the same profile they are a proxy over
 * BroadcastChannel (web/tabs/). The app cannot tell, and does not need to.
 */
import type { NodeStatus } from '../runtime/types';
import type { ChatConsoleApi } from './chat-api';
import type { NetworkSnapshot } from './network-snapshot';

/** 'starting': nothing answers yet; 'node': this tab runs the node; 'view': another tab does. */
export type TabRole = 'starting' | 'node' | 'view';

export interface NetApi {
  /** The node's status, or undefined before it is known. */
  status(): NodeStatus | undefined;
  /** Called with each new status (and at once with the current one, if known). Returns unsubscribe. */
  onStatus(fn: (s: NodeStatus) => void): () => void;
  network(): Promise<NetworkSnapshot>;
}

export interface AppBackend {
  readonly profile: string;
  readonly chat: ChatConsoleApi;
  readonly net: NetApi;
  readonly role: TabRole;
  /** Called when the role changes or the chat behind it is replaced (a view tab took the node over). */
  onChange(fn: () => void): () => void;
}
