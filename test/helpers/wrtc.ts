/**
 * Node WebRTC for tests: `@roamhq/wrtc` as simple-peer's `wrtc`, plus a small testnet of
 * WebRtcTransports wired through the in-memory loopback signaler. Run inside
 * `../shared/tools/loopback-only`; no ICE servers are ever configured.
 */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { LoopbackSignalHub, type LoopbackHubOptions } from '../../web/net/loopback-signaler';
import { WebRtcTransport, type WebRtcTransportInit } from '../../web/net/webrtc-transport';
import { assertLoopbackOnly } from './loopback';
import { OPEN_TO_STRANGERS } from './open-pool';

const require = createRequire(import.meta.url);

/** The @roamhq/wrtc module (RTCPeerConnection & co. for Node). */
export const wrtc = require('@roamhq/wrtc') as NonNullable<ConstructorParameters<typeof WebRtcTransport>[0]['wrtc']>;

export function randomPeerId(): string {
  return randomBytes(20).toString('hex');
}

export interface WrtcTestnet {
  hub: LoopbackSignalHub;
  nodes: WebRtcTransport[];
  add(init?: WebRtcTransportInit, id?: string): WebRtcTransport;
  destroy(): void;
}

export function createWrtcTestnet(n: number, init: WebRtcTransportInit = {}, hubOpts: LoopbackHubOptions = {}): WrtcTestnet {
  assertLoopbackOnly();
  const hub = new LoopbackSignalHub(hubOpts);
  const nodes: WebRtcTransport[] = [];
  const add = (nodeInit: WebRtcTransportInit = init, id = randomPeerId()): WebRtcTransport => {
    const t = new WebRtcTransport(
      { id, signaler: hub.endpoint(id), wrtc },
      { ...nodeInit, pool: { ...OPEN_TO_STRANGERS, ...nodeInit.pool } },
    );
    nodes.push(t);
    return t;
  };
  for (let i = 0; i < n; i++) add();
  return {
    hub,
    nodes,
    add,
    destroy: () => {
      for (const t of nodes) t.destroy();
    },
  };
}

/** Poll `cond` every 10 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
