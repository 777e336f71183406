/**
 * A contact in the list: a link to the conversation with the name, online state (a dot, and
 * words for screen readers), the last message and its time, and the unread count.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { ContactInfo, MessageInfo } from '../../../shared/chat/api-types';
import { shortWhen } from '../format';
import { hrefOf } from '../router';
import { controls } from '../styles';
import './contact-avatar';

export class ContactRow extends LitElement {
  static override properties = {
    contact: { attribute: false },
    last: { attribute: false },
    unread: { type: Number },
    selected: { type: Boolean },
  };
  declare contact: ContactInfo | undefined;
  declare last: MessageInfo | undefined;
  declare unread: number;
  declare selected: boolean;

  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      a {
        display: flex;
        gap: 0.7rem;
        align-items: center;
        padding: 0.6rem 0.75rem;
        color: inherit;
        text-decoration: none;
        border-radius: var(--radius);
      }
      a:hover {
        background: var(--surface-2);
      }
      a[aria-current='page'] {
        background: var(--accent-soft);
      }
      a:focus-visible {
        outline-offset: -3px;
      }
      .main {
        flex: 1;
        min-width: 0;
        display: grid;
      }
      .name {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .preview {
        color: var(--muted);
        font-size: 0.875rem;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .unread .preview,
      .unread .name {
        color: var(--fg);
        font-weight: 700;
      }
      .side {
        display: grid;
        justify-items: end;
        gap: 0.2rem;
        font-size: 0.75rem;
        color: var(--muted);
      }
      .badge {
        min-width: 1.4rem;
        padding: 0 0.4rem;
        border-radius: 999px;
        background: var(--accent);
        color: var(--accent-fg);
        font-weight: 700;
        text-align: center;
        line-height: 1.4rem;
      }
    `,
  ];

  constructor() {
    super();
    this.contact = undefined;
    this.last = undefined;
    this.unread = 0;
    this.selected = false;
  }

  override render() {
    const c = this.contact;
    if (!c) return nothing;
    const state =
      c.state === 'requested' ? 'waiting for them to accept' : c.state === 'pending' ? 'wants to add you' : c.online ? 'online' : 'offline';
    const preview = this.last
      ? `${this.last.from === 'me' ? 'You: ' : ''}${this.last.deleted ? 'Deleted message' : this.last.text}`
      : state;
    const name = c.name || 'Unnamed contact';
    const when = this.last ? shortWhen(this.last.sentAt) : '';
    // The visible text first and in its order (axe's label-in-name), then what only the dot shows.
    const label = [name, preview, when, this.unread > 0 ? `${this.unread} unread` : '', this.last ? state : ''].filter(Boolean).join(', ');
    return html`<a href=${hrefOf({ view: 'chat', id: c.contactId })} aria-current=${this.selected ? 'page' : nothing} aria-label=${label}>
      <contact-avatar .name=${name} contact-id=${c.contactId} ?online=${c.online}></contact-avatar>
      <span class="main ${this.unread > 0 ? 'unread' : ''}">
        <span class="name">${name}</span>
        <span class="preview">${preview}</span>
      </span>
      <span class="side">
        ${this.last ? html`<time datetime=${new Date(this.last.sentAt).toISOString()}>${when}</time>` : nothing}
        ${this.unread > 0 ? html`<span class="badge">${this.unread}</span>` : nothing}
      </span>
    </a>`;
  }
}
customElements.define('contact-row', ContactRow);

declare global {
  interface HTMLElementTagNameMap {
    'contact-row': ContactRow;
  }
}
