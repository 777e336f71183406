/** Feeds a node's status into a lit host: subscribes while connected, unsubscribes when not. */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { NodeStatus, P2PNode } from '../runtime/runtime';

export class StatusController implements ReactiveController {
  value: NodeStatus | undefined;
  private unsubscribe: (() => void) | undefined;
  private node: P2PNode | undefined;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** Follow `node` (or nothing). */
  set(node: P2PNode | undefined): void {
    if (node === this.node) return;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.node = node;
    this.value = node?.status;
    this.subscribe();
    this.host.requestUpdate();
  }

  hostConnected(): void {
    this.subscribe();
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private subscribe(): void {
    if (!this.node || this.unsubscribe) return;
    this.unsubscribe = this.node.onStatus((s) => {
      this.value = s;
      this.host.requestUpdate();
    });
  }
}
