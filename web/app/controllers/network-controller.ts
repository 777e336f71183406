/**
 * The network view's data: a snapshot from `p2p.network()` once a second, only while the view is
 * on screen and the page is visible. Hidden, it asks for nothing (no timer runs).
 */
import type { AppBackend } from '../backend';
import type { NetworkSnapshot } from '../network-snapshot';
import { BackendBinding } from './backend-binding';

export const NETWORK_POLL_MS = 1_000;

export class NetworkController extends BackendBinding {
  snapshot: NetworkSnapshot | undefined;
  error: unknown;
  /** Snapshots asked for so far (tests check that a hidden view asks for none). */
  polls = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private active = false;

  /** A poll is scheduled (false while hidden or off screen). */
  get polling(): boolean {
    return this.timer !== undefined;
  }

  protected override subscribe(b: AppBackend): Array<() => void> {
    this.active = true;
    const onVisibility = (): void => {
      if (document.visibilityState === 'visible') this.schedule(b, 0);
      else this.stop();
    };
    document.addEventListener('visibilitychange', onVisibility);
    if (document.visibilityState === 'visible') this.schedule(b, 0);
    return [
      () => {
        this.active = false;
        this.stop();
        document.removeEventListener('visibilitychange', onVisibility);
      },
    ];
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(b: AppBackend, ms: number): void {
    this.stop();
    this.timer = setTimeout(() => void this.poll(b), ms);
  }

  private async poll(b: AppBackend): Promise<void> {
    this.timer = undefined;
    if (!this.active || document.visibilityState !== 'visible') return;
    this.polls++;
    try {
      this.snapshot = await b.net.network();
      this.error = undefined;
    } catch (e) {
      this.error = e;
    }
    if (!this.active) return;
    this.host.requestUpdate();
    if (document.visibilityState === 'visible' && this.timer === undefined) this.schedule(b, NETWORK_POLL_MS);
  }
}
