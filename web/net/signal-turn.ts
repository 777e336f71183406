/**
 * The signal client's TURN credentials (signal-client.ts): when the welcome says `turn`, the
 * welcome is held while credentials are asked for, and `turnCredentials()` asks for fresh ones
 * later. Requests go out over the client's socket; answers come back through `answer`/`refused`.
 */
import type { Clock, TimerHandle } from '../../shared/env/clock';
import type { ClientMessage, ErrorMsg, IceServer, TurnCredsMsg, WelcomeMsg } from '../../shared/protocol/signaling';
import { PendingRequests } from './pending-requests';
import { SignalClientError } from './signal-client-types';

/** How long a welcome waits for the TURN credentials asked for with it, ms. */
const TURN_WAIT_MS = 3000;

/** What TURN requests need from the client. */
export interface TurnHost {
  takeId(): number;
  send(msg: ClientMessage): void;
  /** The welcome, complete (with the TURN servers when they came in time). */
  welcomed(welcome: WelcomeMsg): void;
}

export class SignalTurn {
  /** A welcome held back while its TURN credentials are asked for (welcome.turn). */
  private wait: { id: number; welcome: WelcomeMsg; timer: TimerHandle } | null = null;
  /** `turnCredentials()` calls in flight. */
  private readonly requests: PendingRequests<IceServer[]>;

  constructor(
    private readonly clock: Clock,
    private readonly host: TurnHost,
  ) {
    this.requests = new PendingRequests(clock);
  }

  /** Fresh TURN credentials; rejects with TIMEOUT after `timeoutMs`. */
  request(timeoutMs: number): Promise<IceServer[]> {
    const id = this.host.takeId();
    const p = this.requests.add(id, timeoutMs, 'turn');
    this.host.send({ t: 'turn', id });
    return p;
  }

  /**
   * The server gives TURN credentials on request: ask once, and hold the welcome (at most
   * TURN_WAIT_MS) so that whoever listens for it gets the ICE servers complete.
   */
  ask(welcome: WelcomeMsg): void {
    if (this.wait) this.clock.clearTimeout(this.wait.timer);
    const id = this.host.takeId();
    const timer = this.clock.setTimeout(() => {
      if (this.wait?.id === id) this.done(welcome);
    }, TURN_WAIT_MS);
    this.wait = { id, welcome, timer };
    this.host.send({ t: 'turn', id });
  }

  /** A `turn` frame: completes the held welcome, or answers a `request`. */
  answer(msg: TurnCredsMsg): void {
    const w = this.wait;
    if (w && msg.id === w.id) return this.done({ ...w.welcome, iceServers: [...w.welcome.iceServers, ...msg.iceServers] });
    this.requests.resolve(msg.id, msg.iceServers);
  }

  /** An error frame: a refused request fails; a held welcome goes on without TURN. */
  refused(msg: ErrorMsg): void {
    // TURN refused (rate limited): join without it rather than not at all.
    if (this.wait && msg.ref === this.wait.id) this.done(this.wait.welcome);
    this.requests.reject(msg.ref, new SignalClientError(msg.code, msg.message));
  }

  /** Drop the held welcome (the socket is gone or closed). */
  clear(): void {
    if (this.wait) this.clock.clearTimeout(this.wait.timer);
    this.wait = null;
  }

  /** Fail every `request` in flight. */
  failAll(err: Error): void {
    this.requests.failAll(err);
  }

  private done(welcome: WelcomeMsg): void {
    this.clear();
    this.host.welcomed(welcome);
  }
}
