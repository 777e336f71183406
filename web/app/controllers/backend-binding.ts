/**
 * The base of the app's reactive controllers: follows the host's current backend, subscribes in
 * hostConnected (and when the backend is replaced) and unsubscribes in hostDisconnected.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { AppBackend } from '../backend';

export abstract class BackendBinding implements ReactiveController {
  private bound: AppBackend | undefined;
  private unsubs: Array<() => void> = [];
  private connected = false;

  constructor(
    protected readonly host: ReactiveControllerHost,
    private readonly getBackend: () => AppBackend | undefined,
  ) {
    host.addController(this);
  }

  get backend(): AppBackend | undefined {
    return this.bound;
  }

  hostConnected(): void {
    this.connected = true;
    this.rebind();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.unbind();
  }

  hostUpdate(): void {
    if (this.connected && this.getBackend() !== this.bound) this.rebind();
  }

  /** Subscribe to `b`; return the unsubscribe functions. Read the initial state here too. */
  protected abstract subscribe(b: AppBackend): Array<() => void>;

  /** Forget the state of the previous backend. */
  protected reset(): void {}

  private rebind(): void {
    this.unbind();
    this.bound = this.getBackend();
    this.reset();
    if (this.bound) this.unsubs = this.subscribe(this.bound);
  }

  private unbind(): void {
    for (const u of this.unsubs.splice(0)) u();
  }
}
