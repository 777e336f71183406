/**
 * A QR code of `text`, drawn by the `qrcode` package, which is loaded only when a QR code is
 * first shown (it stays out of the first page load). Black on white whatever the theme: cameras
 * read that best.
 */
import { LitElement, css, html, nothing } from 'lit';

export class QrCard extends LitElement {
  static override properties = { text: {}, label: {}, size: { type: Number }, src: { state: true }, failed: { state: true } };
  declare text: string;
  /** The image's alternative text. */
  declare label: string;
  declare size: number;
  declare src: string;
  declare failed: boolean;

  static override styles = css`
    :host {
      display: inline-block;
    }
    img,
    .placeholder {
      display: block;
      background: #fff;
      border-radius: 8px;
      padding: 6px;
      image-rendering: pixelated;
    }
    .placeholder {
      background: var(--surface-2);
    }
    p {
      color: var(--danger);
    }
  `;

  constructor() {
    super();
    this.text = '';
    this.label = 'QR code';
    this.size = 200;
    this.src = '';
    this.failed = false;
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (!changed.has('text') && !changed.has('size')) return;
    const text = this.text;
    this.src = '';
    this.failed = false;
    if (!text) return;
    import('qrcode')
      .then((m) =>
        m.default.toDataURL(text, {
          margin: 1,
          width: this.size * 2,
          errorCorrectionLevel: 'M',
          color: { dark: '#000000', light: '#ffffff' },
        }),
      )
      .then(
        (url) => {
          if (this.text === text) this.src = url;
        },
        () => {
          if (this.text === text) this.failed = true;
        },
      );
  }

  override render() {
    if (!this.text) return nothing;
    if (this.failed) return html`<p>The QR code could not be drawn.</p>`;
    const s = `${this.size}px`;
    return this.src
      ? html`<img alt=${this.label} src=${this.src} width=${this.size} height=${this.size} style="width:${s};height:${s}" />`
      : html`<div class="placeholder" role="img" aria-label=${`${this.label} (drawing)`} style="width:${s};height:${s}"></div>`;
  }
}
customElements.define('qr-card', QrCard);

declare global {
  interface HTMLElementTagNameMap {
    'qr-card': QrCard;
  }
}
