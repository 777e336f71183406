/** A share link and QR code for a public key (what others pass to `get`). */
import { LitElement, css, html, nothing } from 'lit';
import QRCode from 'qrcode';

export class ShareCard extends LitElement {
  static override properties = { publicKey: { attribute: 'public-key' }, qr: { state: true } };
  declare publicKey: string;
  declare qr: string;

  static override styles = css`
    :host { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
    img { width: 160px; height: 160px; image-rendering: pixelated; background: #fff; }
    a { word-break: break-all; font-family: ui-monospace, monospace; font-size: 0.8rem; }
  `;

  constructor() {
    super();
    this.publicKey = '';
    this.qr = '';
  }

  get link(): string {
    return `${location.origin}${location.pathname}#pk=${this.publicKey}`;
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (!changed.has('publicKey') || !this.publicKey) return;
    const key = this.publicKey;
    QRCode.toDataURL(this.link, { margin: 1, width: 160 }).then(
      (url) => {
        if (this.publicKey === key) this.qr = url;
      },
      () => {
        this.qr = '';
      },
    );
  }

  override render() {
    if (!this.publicKey) return nothing;
    return html`${this.qr ? html`<img alt="QR code of the share link" src=${this.qr} />` : nothing}
      <div><div>Share link</div><a id="share" href=${this.link}>${this.link}</a></div>`;
  }
}
customElements.define('share-card', ShareCard);

declare global {
  interface HTMLElementTagNameMap {
    'share-card': ShareCard;
  }
}
