/**
 * Shared by the signaling bench's load generators: clients that speak our protocol (hello signed
 * with node:crypto) or the PeerJS server's, spread over 64 loopback source addresses, a ~700 B SDP
 * offer to relay, and percentile helpers. Every socket goes to 127.0.0.1.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import WebSocket from 'ws';
import { helloSigningBytes } from '../../shared/protocol/signaling';

export type Kind = 'ours' | 'peerjs';

/** Spread sockets over 64 loopback source addresses (each under the server's per-IP cap). */
export const srcAddr = (i: number): string => `127.0.${10 + (i % 64)}.1`;

export interface Peer {
  ws: WebSocket;
  id: string;
}

export const SDP =
  'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS\r\n' +
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:Bx3k\r\na=ice-pwd:Qm4pD8yq7m2v0XhT9rJZl1Ue\r\n' +
  'a=ice-options:trickle\r\na=fingerprint:sha-256 6B:8B:5E:11:7C:1A:43:90:2E:4D:AB:7F:22:C0:9A:E1:3D:58:6F:44:B2:91:0C:7E:D3:A6:55:18:EF:02:B9:64\r\n' +
  'a=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n';

export function openWs(url: string, i: number): WebSocket {
  return new WebSocket(url, { perMessageDeflate: false, localAddress: srcAddr(i), handshakeTimeout: 20_000 });
}

/** Connect and complete hello (ours) or wait for OPEN (PeerJS). */
export function connect(kind: Kind, port: number, i: number): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('connect timeout'));
    }, 30_000);
    const done = (p: Peer | Error): void => {
      clearTimeout(timer);
      ws.removeAllListeners('message');
      if (p instanceof Error) reject(p);
      else resolve(p);
    };
    let ws: WebSocket;
    if (kind === 'ours') {
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
      const id = createHash('sha1').update(pub).digest('hex');
      ws = openWs(`ws://127.0.0.1:${port}/signal`, i);
      ws.on('message', (d: Buffer) => {
        const m = JSON.parse(d.toString()) as { t: string; nonce?: string; code?: string };
        if (m.t === 'challenge') {
          const sig = sign(null, helloSigningBytes(m.nonce!), privateKey);
          ws.send(JSON.stringify({ t: 'hello', publicKey: pub.toString('hex'), signature: sig.toString('hex') }));
        } else if (m.t === 'welcome') done({ ws, id });
        else if (m.t === 'error') done(new Error(m.code));
      });
    } else {
      const id = `p${i}x${Math.random().toString(36).slice(2, 10)}`;
      ws = openWs(`ws://127.0.0.1:${port}/peerjs?key=peerjs&id=${id}&token=${Math.random().toString(36).slice(2)}`, i);
      ws.on('message', (d: Buffer) => {
        const m = JSON.parse(d.toString()) as { type: string; payload?: { msg?: string } };
        if (m.type === 'OPEN') done({ ws, id });
        else if (m.type === 'ERROR') done(new Error(m.payload?.msg ?? 'peerjs error'));
      });
    }
    ws.on('error', (e) => done(e));
    ws.on('close', () => done(new Error('closed during connect')));
  });
}

/** Open `count` connections, at most 200 handshakes at a time. */
export async function connectMany(
  kind: Kind,
  port: number,
  count: number,
  first: number,
): Promise<{ peers: Peer[]; failed: number; err: string }> {
  const peers: Peer[] = [];
  let failed = 0;
  let err = '';
  let next = 0;
  const deadline = Date.now() + 120_000;
  const worker = async (): Promise<void> => {
    while (next < count && Date.now() < deadline && failed < 50) {
      const i = first + next++;
      try {
        const p = await connect(kind, port, i);
        p.ws.on('error', () => {});
        p.ws.on('close', () => {});
        peers.push(p);
      } catch (e) {
        failed++;
        err ||= e instanceof Error ? e.message : String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: 200 }, worker));
  return { peers, failed, err };
}

export const tsOf = (s: string): number => parseFloat(s.slice(s.lastIndexOf('"ts":') + 5));

export function pct(a: number[], p: number): number {
  if (!a.length) return NaN;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
