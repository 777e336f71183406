/**
 * Test page for the real-browser harness: a WebRtcTransport whose signaling goes through the
 * test runner (Playwright exposeFunction out, page.evaluate in). Exposes `window.testNode`.
 */
import { bytesToHex } from '../../shared/crypto/bytes';
import { parseSignalPayload, type SignalHandler, type Signaler } from '../net/signaler';
import { destroyOnPageHide } from '../net/page-lifecycle';
import { WebRtcTransport, type TransportStats } from '../net/webrtc-transport';

declare global {
  interface Window {
    /** Provided by the test runner (page.exposeFunction). */
    __signalOut?: (to: string, json: string) => Promise<void>;
    testNode: TestNode;
  }
}

export interface TestNode {
  id: string;
  /** Deliver a signal from the runner. */
  signalIn(from: string, json: string): void;
  /** Resolves with the setup time in ms, or rejects with the NetError code. */
  connect(peer: string): Promise<number>;
  /** Like connect, but resolves with the error code (or 'ok'). */
  tryConnect(peer: string): Promise<string>;
  protect(peer: string, tag: string): void;
  send(peer: string, text: string): void;
  close(peer: string): void;
  connected(peer: string): boolean;
  received(): Array<[string, string]>;
  peerDowns(): string[];
  stats(): TransportStats;
  destroy(): void;
}

let handler: SignalHandler = () => {};
const signaler: Signaler = {
  send: (to, signal) => void window.__signalOut?.(to, JSON.stringify(signal)),
  onSignal: (h) => {
    handler = h;
  },
};
const id = bytesToHex(crypto.getRandomValues(new Uint8Array(20)));
const q = new URLSearchParams(location.search);
const num = (k: string): number | undefined => (q.has(k) ? Number(q.get(k)) : undefined);
const transport = new WebRtcTransport(
  { id, signaler },
  {
    connectTimeoutMs: 10_000,
    pool: {
      ...(num('maxOpen') !== undefined ? { maxOpen: num('maxOpen')! } : {}),
      ...(num('lifetimeLimit') !== undefined ? { lifetimeLimit: num('lifetimeLimit')!, protectedReserve: 0 } : {}),
    },
  },
);
const got: Array<[string, string]> = [];
const downs: string[] = [];
transport.onFrame((from, f) => got.push([from, new TextDecoder().decode(f)]));
transport.onPeerDown((p) => downs.push(p));
// Tabs opened with ?lifecycle=0 skip this, to test detection of a tab that vanishes silently.
if (q.get('lifecycle') !== '0') destroyOnPageHide(transport);

window.testNode = {
  id,
  signalIn(from, json) {
    const s = parseSignalPayload(JSON.parse(json));
    if (s) handler(from, s);
  },
  async connect(peer) {
    const t0 = performance.now();
    await transport.connect(peer);
    return performance.now() - t0;
  },
  tryConnect: (peer) =>
    transport.connect(peer).then(
      () => 'ok',
      (e: unknown) => (e as { code?: string }).code ?? String(e),
    ),
  protect: (peer, tag) => transport.protect(peer, tag),
  send: (peer, text) => transport.send(peer, new TextEncoder().encode(text)),
  close: (peer) => transport.close(peer),
  connected: (peer) => transport.isConnected(peer),
  received: () => got.slice(),
  peerDowns: () => downs.slice(),
  stats: () => transport.stats(),
  destroy: () => transport.destroy(),
};
document.getElementById('status')!.textContent = 'ready';
