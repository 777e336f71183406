/**
 * TURN credentials stay fresh: when the server mints them on request (welcome.turn), they expire
 * (`--turn-ttl`, 1 h by default), so the node asks for new ones well before, and sets its ICE
 * servers to the device's own (first), the welcome's STUN/static entries, and the fresh TURN
 * entries. A refused or failed ask is tried again later; a new welcome starts over.
 */
import type { Clock, TimerHandle } from '../../shared/env/clock';
import type { SignalClient } from '../net/signal-client';
import type { IceServer, WelcomeMsg } from '../../shared/protocol/signaling';
import { RUNTIME_DEFAULTS } from './constants';

export interface TurnRefresher {
  /** A welcome arrived: use its ICE servers and (re)start refreshing if it offers TURN. */
  welcome(w: WelcomeMsg): void;
  stop(): void;
}

export function keepTurnFresh(
  client: Pick<SignalClient, 'turnCredentials'>,
  setIceServers: (servers: IceServer[]) => void,
  clock: Clock,
  own: readonly IceServer[] = [],
): TurnRefresher {
  let timer: TimerHandle | undefined;
  let fromWelcome: IceServer[] = [];
  const stop = () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  };
  const schedule = (ms: number) => {
    stop();
    timer = clock.setTimeout(() => {
      timer = undefined;
      client.turnCredentials().then(
        (fresh) => {
          setIceServers([...own, ...fromWelcome.filter((s) => !isTurn(s)), ...fresh]);
          schedule(RUNTIME_DEFAULTS.turnRefresh.everyMs);
        },
        () => schedule(RUNTIME_DEFAULTS.turnRefresh.retryMs),
      );
    }, ms);
  };
  return {
    welcome(w) {
      fromWelcome = [...w.iceServers];
      setIceServers([...own, ...fromWelcome]);
      if (w.turn) schedule(RUNTIME_DEFAULTS.turnRefresh.everyMs);
      else stop();
    },
    stop,
  };
}

function isTurn(s: IceServer): boolean {
  const urls = Array.isArray(s.urls) ? s.urls : [s.urls];
  return urls.some((u) => /^turns?:/i.test(u));
}
