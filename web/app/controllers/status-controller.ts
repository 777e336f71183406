/** The node's status (phase, signaling, peers, records) for the host, live while it is connected. */
import type { NodeStatus } from '../../runtime/types';
import type { AppBackend } from '../backend';
import { BackendBinding } from './backend-binding';

export class StatusController extends BackendBinding {
  value: NodeStatus | undefined;

  protected override subscribe(b: AppBackend): Array<() => void> {
    return [
      b.net.onStatus((s) => {
        this.value = s;
        this.host.requestUpdate();
      }),
    ];
  }

  protected override reset(): void {
    this.value = undefined;
  }
}
