/**
 * A safety number: 12 groups of 5 digits, the same on both phones when nobody is in the middle.
 * Shown as digits to read aloud and as a QR code to scan from the other screen.
 */
import { LitElement, css, html, nothing } from 'lit';
import { controls } from '../styles';
import './qr-card';

export class SafetyNumber extends LitElement {
  static override properties = { value: {}, name: {}, showQr: { type: Boolean, attribute: 'show-qr' } };
  declare value: string;
  declare name: string;
  declare showQr: boolean;

  static override styles = [
    controls,
    css`
      :host {
        display: grid;
        gap: 0.75rem;
        justify-items: start;
      }
      .digits {
        display: grid;
        grid-template-columns: repeat(4, auto);
        gap: 0.35rem 1rem;
        font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
        font-size: 1.15rem;
        letter-spacing: 0.04em;
        margin: 0;
        padding: 0.75rem 1rem;
        background: var(--surface-2);
        border-radius: var(--radius);
        list-style: none;
      }
    `,
  ];

  constructor() {
    super();
    this.value = '';
    this.name = '';
    this.showQr = true;
  }

  get groups(): string[] {
    return this.value.split(/\s+/).filter(Boolean);
  }

  override render() {
    if (!this.value) return nothing;
    return html`<ol class="digits" aria-label=${`Safety number with ${this.name || 'this contact'}`}>
        ${this.groups.map((g) => html`<li>${g}</li>`)}
      </ol>
      ${this.showQr ? html`<qr-card .text=${this.value} label=${`QR code of the safety number with ${this.name || 'this contact'}`} size="160"></qr-card>` : nothing}`;
  }
}
customElements.define('safety-number', SafetyNumber);

declare global {
  interface HTMLElementTagNameMap {
    'safety-number': SafetyNumber;
  }
}
