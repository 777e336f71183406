/**
 * Page entry: opening the page starts a DHT node in this tab.
 *   ?profile=NAME  a separate identity and record store (IndexedDB) in the same browser
 *   ?signal=URL    the signaling endpoint (default: this origin's /signal, ws:// or wss://), or
 *                  several comma-separated instances of one service: the node fails over between them
 * The node is exposed as `window.p2p` (docs/browser-node.md).
 */
import './app/p2p-app';
import { chatApi } from './app/chat-api';
import { consoleApi } from './app/console-api';
import { destroyOnPageHide } from './net/page-lifecycle';
import type { WebSocketConstructor } from './net/signal-client';
import { startChat } from './runtime/chat';
import { startNode } from './runtime/runtime';
import { IdbChatStore, IdbRecordStore, deleteProfile, loadOrCreateIdentity } from './storage/index';

function signalUrl(q: URLSearchParams): string {
  const given = q.get('signal');
  if (given) return given;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/signal`;
}

async function main(): Promise<void> {
  const app = document.querySelector('p2p-app')!;
  const q = new URLSearchParams(location.search);
  const profile = q.get('profile') ?? 'default';
  app.profile = profile;
  try {
    const { keyPair } = await loadOrCreateIdentity(profile);
    const node = await startNode({
      keyPair,
      store: new IdbRecordStore(profile),
      signalUrl: signalUrl(q),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
    });
    destroyOnPageHide(node.transport);
    const chat = await startChat(node, { store: new IdbChatStore(profile), origin: location.origin });
    const hooks = {
      restart: async () => {
        await node.close();
        location.reload();
      },
      wipe: async () => {
        await node.close();
        await deleteProfile(profile);
        location.reload();
      },
    };
    window.p2p = consoleApi(
      node,
      profile,
      chatApi(chat, () => node.ready(), hooks),
    );
    app.node = node;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    window.p2pError = msg;
    app.error = msg;
    console.error('p2p node failed to start', e);
  }
}

void main();
