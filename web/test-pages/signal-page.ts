/**
 * Test page: a WebRtcTransport whose Signaler is the real SignalClient over the browser's
 * WebSocket, pointed at `?signal=ws://127.0.0.1:PORT/signal`. Exposes `window.signalNode`.
 */
import { generateKeyPair } from '../../shared/crypto/ed25519';
import { SignalClient } from '../net/signal-client';
import { WebRtcTransport, type TransportStats } from '../net/webrtc-transport';

export interface SignalTestNode {
  id: string;
  /** Peers named in the welcome (nodes that were there before this one). */
  welcomePeers: string[];
  iceServers: unknown[];
  send(peer: string, text: string): void;
  received(): Array<[string, string]>;
  stats(): TransportStats;
}

declare global {
  interface Window {
    signalNode?: SignalTestNode;
    signalError?: string;
  }
}

async function main(): Promise<void> {
  const url = new URLSearchParams(location.search).get('signal');
  if (!url) throw new Error('missing ?signal=');
  const client = new SignalClient({ url, keyPair: generateKeyPair(), WebSocket: globalThis.WebSocket });
  const welcome = await client.connect();
  const transport = new WebRtcTransport({ id: client.nodeId, signaler: client }, { iceServers: welcome.iceServers });
  const got: Array<[string, string]> = [];
  transport.onFrame((from, f) => got.push([from, new TextDecoder().decode(f)]));
  window.signalNode = {
    id: client.nodeId,
    welcomePeers: welcome.peers,
    iceServers: welcome.iceServers,
    send: (peer, text) => transport.send(peer, new TextEncoder().encode(text)),
    received: () => got.slice(),
    stats: () => transport.stats(),
  };
  document.getElementById('status')!.textContent = 'ready';
}

main().catch((e: unknown) => {
  window.signalError = String(e);
  document.getElementById('status')!.textContent = 'error';
});
