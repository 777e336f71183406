/**
 * The network, as a picture: this node's place on the id ring with its k-bucket fill, open
 * connections against the budget (and the RTCPeerConnections this page has made against Chrome's
 * 500), the signaling server, recent lookups (hops, time) and the records stored here. Live while
 * on screen; it asks for nothing while hidden (NetworkController).
 */
import { LitElement, css, html, nothing } from 'lit';
import type { AppBackend } from '../backend';
import { NetworkController } from '../controllers/network-controller';
import { errorText, plural } from '../format';
import { icons } from '../icons';
import type { NetworkSnapshot } from '../network-snapshot';
import { controls } from '../styles';
import { paneStyles } from './pane-styles';
import '../components/xor-ring';

const SIGNAL_TEXT: Record<string, string> = {
  open: 'connected',
  connecting: 'connecting…',
  authenticating: 'connecting…',
  reconnecting: 'unreachable, retrying',
  idle: 'not connected',
  closed: 'closed',
};

const ago = (ms: number): string => (ms < 60_000 ? `${Math.max(1, Math.round(ms / 1000))} s ago` : `${Math.round(ms / 60_000)} min ago`);
const short = (hex: string): string => `${hex.slice(0, 8)}…`;

export class NetworkView extends LitElement {
  static override properties = { backend: { attribute: false } };
  declare backend: AppBackend | undefined;
  readonly network = new NetworkController(this, () => this.backend);

  static override styles = [
    controls,
    paneStyles,
    css`
      .body > * {
        max-width: 52rem;
      }
      dl {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(9.5rem, 1fr));
        gap: 0.6rem;
        margin: 0;
      }
      dl > div {
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.6rem 0.8rem;
      }
      dt {
        font-size: 0.8rem;
        color: var(--muted);
      }
      dd {
        margin: 0.15rem 0 0;
        font-weight: 600;
      }
      meter {
        display: block;
        margin-top: 0.3rem;
        width: 100%;
        height: 0.8rem;
      }
      .table {
        overflow-x: auto;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        font-size: 0.85rem;
        font-variant-numeric: tabular-nums;
      }
      caption {
        text-align: left;
        font-weight: 700;
        padding-bottom: 0.4rem;
      }
      th,
      td {
        text-align: left;
        padding: 0.3rem 0.5rem;
        border-bottom: 1px solid var(--border);
        white-space: nowrap;
      }
      th {
        color: var(--muted);
        font-weight: 600;
      }
      code {
        font-size: 0.8rem;
      }
    `,
  ];

  constructor() {
    super();
    this.backend = undefined;
  }

  override render() {
    const s = this.network.snapshot;
    return html`<header>
        <a class="back" href="#/" aria-label="Back to chats">${icons.back}</a>
        <h2>Network</h2>
      </header>
      <div class="body">
        ${this.backend?.role === 'view' ? html`<p class="note">This tab shows the node that runs in another tab of this browser (one node per browser, so your identity is never online twice).</p>` : nothing}
        ${this.network.error ? html`<p class="error" role="alert">${errorText(this.network.error)}</p>` : nothing}
        ${s ? this.renderSnapshot(s) : html`<p class="hint" role="status">Reading the network…</p>`}
      </div>`;
  }

  private renderSnapshot(s: NetworkSnapshot) {
    const c = s.connections;
    return html`<dl>
        <div><dt>This node</dt><dd>${s.status.phase === 'joined' ? 'joined' : `${s.status.phase}…`} · <code>${short(s.id)}</code></dd></div>
        <div><dt>Signaling server</dt><dd>${SIGNAL_TEXT[s.signal.state] ?? s.signal.state}</dd></div>
        <div>
          <dt id="open-l">Open connections</dt>
          <dd>
            ${c.open} of ${c.maxOpen}${c.connecting ? ` (+${c.connecting} opening)` : ''}
            <meter aria-labelledby="open-l" min="0" max=${c.maxOpen} .value=${c.open}></meter>
          </dd>
        </div>
        <div>
          <dt id="life-l">Connections made by this page</dt>
          <dd>
            ${c.lifetime} of ${c.browserCap}
            <meter aria-labelledby="life-l" min="0" max=${c.browserCap} high=${c.lifetimeLimit} .value=${c.lifetime}></meter>
          </dd>
        </div>
        <div><dt>Stored records</dt><dd>${s.records.own} own · ${plural(s.records.replicas, 'replica')}</dd></div>
      </dl>
      <p class="hint">Chrome lets a page make ${c.browserCap} WebRTC connections in its life; this app stops at ${c.lifetimeLimit} and reuses a few kept links for everything else${c.setupMsP50 !== undefined ? ` (a new connection took ${Math.round(c.setupMsP50)} ms at the median)` : ''}.</p>
      <section aria-labelledby="ring-h">
        <h3 id="ring-h">Your place in the network</h3>
        <xor-ring .snapshot=${s}></xor-ring>
      </section>
      ${this.renderLookups(s)} ${this.renderRecords(s)}`;
  }

  private renderLookups(s: NetworkSnapshot) {
    if (s.lookups.length === 0) return html`<p class="hint">No lookups yet.</p>`;
    const kind = { node: 'find node', value: 'get / put', refresh: 'refresh' } as const;
    return html`<div class="table" tabindex="0" role="region" aria-label="Recent lookups">
      <table>
        <caption>Recent lookups</caption>
        <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Target</th><th scope="col">Hops</th><th scope="col">Time</th><th scope="col">Answers</th></tr></thead>
        <tbody>
          ${s.lookups.slice(0, 12).map(
            (l) => html`<tr>
              <td>${ago(s.at - l.at)}</td><td>${kind[l.kind]}</td><td><code>${short(l.target)}</code></td>
              <td>${l.hops}</td><td>${l.ms} ms</td><td>${l.responses}/${l.queries}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private renderRecords(s: NetworkSnapshot) {
    if (s.records.rows.length === 0) return html`<p class="hint">No records stored here yet.</p>`;
    return html`<div class="table" tabindex="0" role="region" aria-label="Stored records">
      <table>
        <caption>Stored records (${s.records.own} own, ${s.records.replicas} held for others)</caption>
        <thead><tr><th scope="col">Whose</th><th scope="col">Record</th><th scope="col">Size</th><th scope="col">Version</th><th scope="col">Refreshed</th></tr></thead>
        <tbody>
          ${s.records.rows.slice(0, 20).map(
            (r) => html`<tr>
              <td>${r.origin === 'own' ? 'own' : 'replica'}</td><td><code>${short(r.target)}</code></td><td>${r.bytes} B</td>
              <td>${r.seq ?? '–'}</td><td>${ago(r.ageMs)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }
}
customElements.define('network-view', NetworkView);

declare global {
  interface HTMLElementTagNameMap {
    'network-view': NetworkView;
  }
}
