/** A contact request waiting for an answer: who, their first message, Accept and Decline. */
import { LitElement, css, html, nothing } from 'lit';
import type { RequestInfo } from '../../../shared/chat/api-types';
import { shortWhen } from '../format';
import { controls } from '../styles';
import './contact-avatar';

export class RequestRow extends LitElement {
  static override properties = { request: { attribute: false }, busy: { type: Boolean } };
  declare request: RequestInfo | undefined;
  declare busy: boolean;

  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .req {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.3rem 0.7rem;
        padding: 0.6rem 0.75rem;
        border-radius: var(--radius);
        background: var(--accent-soft);
      }
      .who {
        font-weight: 600;
        display: flex;
        flex-wrap: wrap;
        justify-content: space-between;
        align-items: baseline;
        column-gap: 0.5rem;
      }
      .msg {
        grid-column: 2;
        overflow-wrap: anywhere;
      }
      .when {
        color: var(--muted);
        font-size: 0.8rem;
        font-weight: 400;
        white-space: nowrap;
      }
      .row {
        grid-column: 2;
      }
    `,
  ];

  constructor() {
    super();
    this.request = undefined;
    this.busy = false;
  }

  override render() {
    const r = this.request;
    if (!r) return nothing;
    const name = r.name || 'Someone without a name';
    return html`<div class="req">
      <contact-avatar .name=${name} contact-id=${r.contactId}></contact-avatar>
      <p class="who"><span>${name} wants to add you</span> <time class="when" datetime=${new Date(r.receivedAt).toISOString()}>${shortWhen(r.receivedAt)}</time></p>
      ${r.message ? html`<p class="msg">“${r.message}”</p>` : nothing}
      <div class="row">
        <button class="primary" ?disabled=${this.busy} @click=${() => this.fire('accept')} aria-label=${`Accept ${name}`}>Accept</button>
        <button ?disabled=${this.busy} @click=${() => this.fire('reject')} aria-label=${`Decline ${name}`}>Decline</button>
      </div>
    </div>`;
  }

  private fire(kind: 'accept' | 'reject'): void {
    if (this.request) this.dispatchEvent(new CustomEvent(kind, { detail: this.request.contactId, bubbles: true, composed: true }));
  }
}
customElements.define('request-row', RequestRow);

declare global {
  interface HTMLElementTagNameMap {
    'request-row': RequestRow;
  }
}
