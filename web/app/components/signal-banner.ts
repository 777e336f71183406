/**
 * A banner when the network is partly out of reach: the signaling server cannot be reached (chats
 * over connections already open keep working through the overlay; only meeting new devices needs
 * the server), or nothing can (offline: history stays readable). Hidden while all is well.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { NodeStatus } from '../../runtime/types';
import { controls } from '../styles';

export class SignalBanner extends LitElement {
  static override properties = { status: { attribute: false } };
  declare status: NodeStatus | undefined;

  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      p {
        padding: 0.5rem 1rem;
        background: var(--warn-bg);
        color: var(--warn-fg);
        font-size: 0.9rem;
      }
    `,
  ];

  constructor() {
    super();
    this.status = undefined;
  }

  /** The text to show, or '' when all is well. The signaling client says 'reconnecting' once a connection failed. */
  get text(): string {
    const s = this.status;
    if (s?.signal !== 'reconnecting' || s.phase === 'closed') return '';
    if (s.peers > 0)
      return 'The signaling server cannot be reached. Chats with people you are connected to keep working; meeting new devices may take longer. Retrying…';
    return 'The network cannot be reached right now. Your chats are here to read, and new messages go out once you are back online. Retrying…';
  }

  override render() {
    const t = this.text;
    return html`<div role="status">${t ? html`<p>${t}</p>` : nothing}</div>`;
  }
}
customElements.define('signal-banner', SignalBanner);

declare global {
  interface HTMLElementTagNameMap {
    'signal-banner': SignalBanner;
  }
}
