/**
 * A contact's initial on a colour picked from its id, with an online dot; decorative (aria-hidden).
 * The initial is generated content, so it adds no text to a link around it (the link's name stays
 * the contact's name).
 */
import { LitElement, css, html } from 'lit';

/** Each keeps white text above 4.5:1. */
const PALETTE = ['#7b3fa0', '#1d6f8a', '#8a4b12', '#2e6b30', '#a3305f', '#4450b8'];

export class ContactAvatar extends LitElement {
  static override properties = { name: {}, contactId: { attribute: 'contact-id' }, online: { type: Boolean } };
  declare name: string;
  declare contactId: string;
  declare online: boolean;

  static override styles = css`
    :host {
      position: relative;
      display: inline-grid;
      place-items: center;
      width: 2.6rem;
      height: 2.6rem;
      border-radius: 50%;
      color: #fff;
      font-weight: 700;
      font-size: 1.1rem;
      flex: none;
    }
    :host::before {
      content: attr(data-initial);
    }
    .dot {
      position: absolute;
      right: -1px;
      bottom: -1px;
      width: 0.8rem;
      height: 0.8rem;
      border-radius: 50%;
      background: var(--ok);
      border: 2px solid var(--surface);
    }
  `;

  constructor() {
    super();
    this.name = '';
    this.contactId = '';
    this.online = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.setAttribute('aria-hidden', 'true');
  }

  override render() {
    const n = Number.parseInt(this.contactId.slice(0, 6) || '0', 16);
    this.style.background = PALETTE[n % PALETTE.length]!;
    this.dataset.initial = Array.from(this.name.trim())[0]?.toUpperCase() ?? '?';
    return html`${this.online ? html`<span class="dot"></span>` : ''}`;
  }
}
customElements.define('contact-avatar', ContactAvatar);

declare global {
  interface HTMLElementTagNameMap {
    'contact-avatar': ContactAvatar;
  }
}
