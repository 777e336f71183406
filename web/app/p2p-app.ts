/** The page: the node's status (phase, peers, records, id) and its share link. */
import { LitElement, css, html } from 'lit';
import type { P2PNode } from '../runtime/runtime';
import { StatusController } from './status-controller';
import './share-card';

export class P2PApp extends LitElement {
  static override properties = { node: { attribute: false }, error: {}, profile: {} };
  declare node: P2PNode | undefined;
  declare error: string;
  declare profile: string;
  private readonly status = new StatusController(this);

  static override styles = css`
    :host { display: block; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
    h1 { font-size: 1.3rem; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; }
    dt { color: #5a6272; }
    dd { margin: 0; font-family: ui-monospace, monospace; word-break: break-all; }
    .phase { font-weight: 600; }
    .joined { color: #11793b; }
    .error { color: #b00020; }
    p.hint { color: #5a6272; font-size: 0.9rem; }
  `;

  constructor() {
    super();
    this.node = undefined;
    this.error = '';
    this.profile = 'default';
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('node')) this.status.set(this.node);
  }

  override render() {
    if (this.error) return html`<h1>p2p-chat node</h1><p class="error" id="error">Could not start: ${this.error}</p>`;
    const s = this.status.value;
    const node = this.node;
    if (!node || !s) return html`<h1>p2p-chat node</h1><p id="phase">starting…</p>`;
    return html`<h1>p2p-chat node</h1>
      <dl>
        <dt>status</dt>
        <dd><span id="phase" class="phase ${s.phase}">${s.phase}</span></dd>
        <dt>signaling server</dt>
        <dd id="signal">${s.signal}</dd>
        <dt>peers</dt>
        <dd id="peers">${s.peers}</dd>
        <dt>routing contacts</dt>
        <dd id="contacts">${s.contacts}</dd>
        <dt>stored records</dt>
        <dd id="records">${s.records} (${s.ownRecords} own)</dd>
        <dt>profile</dt>
        <dd id="profile">${this.profile}</dd>
        <dt>node id</dt>
        <dd id="node-id">${node.id}</dd>
        <dt>public key</dt>
        <dd id="public-key">${node.publicKey}</dd>
      </dl>
      <share-card public-key=${node.publicKey}></share-card>
      <p class="hint">Console: <code>await p2p.put('status', 'hello')</code>, <code>await p2p.get(publicKey, 'status')</code>,
        <code>p2p.stats()</code> (docs/browser-node.md).</p>`;
  }
}
customElements.define('p2p-app', P2PApp);

declare global {
  interface HTMLElementTagNameMap {
    'p2p-app': P2PApp;
  }
}
