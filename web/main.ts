/**
 * Page entry: the chat app, and the profile's node, run by one tab of the browser profile.
 *   ?profile=NAME  a separate identity and store (IndexedDB) in the same browser
 *   ?signal=URL    the signaling endpoint (default: the device setting, else this origin's /signal),
 *                  or several comma-separated instances of one service: the node fails over between them
 * The first tab of a profile runs the node; later tabs become views onto it over BroadcastChannel
 * and take it over when its tab closes (web/tabs/). `window.p2p` works in every tab
 * (docs/browser-node.md, docs/chat-api.md).
 */
import './app/p2p-app';
import { loadLocalSettings } from './app/local-settings';
import { assertProfile } from './storage/profile';
import { TabBackend } from './tabs/facade';
import { claimNode } from './tabs/leader';
import { TabProxy } from './tabs/proxy';

// The node (DHT, WebRTC, chat core) is its own chunk: its download starts now, and the app
// renders its first screen while it loads and evaluates.
const localNode = import('./tabs/local-node');

function signalUrl(q: URLSearchParams, saved: string): string {
  const given = q.get('signal') || saved;
  if (given) return given;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/signal`;
}

function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || location.port === '5173') return;
  addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => {
      // no offline shell (dev server, private mode): the app works the same online
    });
  });
}

async function main(): Promise<void> {
  const app = document.querySelector('p2p-app')!;
  const q = new URLSearchParams(location.search);
  try {
    const profile = assertProfile(q.get('profile') ?? 'default');
    const backend = new TabBackend(profile);
    app.backend = backend;
    let joined = false;
    backend.net.onStatus((s) => {
      if (!joined && s.phase === 'joined') {
        joined = true;
        performance.mark('p2p:joined');
      }
    });
    const runNode = async (): Promise<void> => {
      const settings = loadLocalSettings(profile);
      const { startLocalNode } = await localNode;
      const local = await startLocalNode(profile, { signalUrl: signalUrl(q, settings.signalUrl), iceServers: settings.iceServers });
      window.p2p = local.p2p;
      local.onSync(() => backend.changed());
      backend.use('node', local.chat, local.net);
    };
    const claim = claimNode(profile);
    if (await claim.first) return await runNode();
    const proxy = new TabProxy(profile);
    proxy.onChange(() => backend.changed());
    const viewing = proxy.connected().then(() => {
      if (backend.role === 'node') return;
      window.p2p = proxy.console();
      backend.use('view', proxy.chat, proxy.net);
    });
    await Promise.race([viewing, claim.granted]);
    await claim.granted;
    proxy.close();
    await runNode();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    window.p2pError = msg;
    app.error = e;
    console.error('p2p node failed to start', e);
  }
}

registerServiceWorker();
void main();
