/**
 * Share my address: the link (copy it, or hand it to the system's share sheet where there is one),
 * its QR code, and "new address", which rotates the link after saying that old links stop working.
 */
import { copyText } from '../clipboard';
import { css, html, nothing } from 'lit';
import { ChatController } from '../controllers/chat-controller';
import { errorText } from '../format';
import { icons } from '../icons';
import { controls } from '../styles';
import { paneStyles } from './pane-styles';
import { ActionPanel, dialogBody } from '../components/action-panel';
import '../components/app-dialog';
import '../components/qr-card';

export class ShareAddressView extends ActionPanel {
  private readonly chat = new ChatController(this, () => this.backend);

  static override styles = [
    controls,
    paneStyles,
    dialogBody,
    css`
      input[readonly] {
        font-family: ui-monospace, Menlo, Consolas, monospace;
        font-size: 0.85rem;
        background: var(--surface-2);
      }
      .qr {
        justify-self: start;
      }
    `,
  ];

  override render() {
    const address = this.chat.me?.address ?? '';
    const canShare = typeof navigator.share === 'function';
    return html`<header>
        <a class="back" href="#/" aria-label="Back to chats">${icons.back}</a>
        <h2>Share my address</h2>
      </header>
      <div class="body">
        <p>Anyone with this link can send you a contact request; you decide whether to accept. Send it in a message, or let them scan the QR code.</p>
        <div class="field">
          <label for="address">Your address link</label>
          <input id="address" readonly .value=${address} @focus=${(e: FocusEvent) => (e.target as HTMLInputElement).select()} />
        </div>
        <div class="row">
          <button class="primary icon" @click=${this.copy}>${icons.copy}Copy link</button>
          ${canShare ? html`<button class="icon" @click=${this.share}>${icons.share}Share…</button>` : nothing}
        </div>
        <p role="status" class="hint">${this.said}</p>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <qr-card class="qr" .text=${address} label="QR code of your address link" size="220"></qr-card>
        <section aria-labelledby="new-h">
          <h3 id="new-h">New address</h3>
          <p class="hint">Getting requests you do not want? A new address makes your old link and QR code stop working. Your contacts stay.</p>
          <div><button @click=${() => (this.confirming = true)}>Make a new address…</button></div>
        </section>
      </div>
      <app-dialog heading="Make a new address?" ?open=${this.confirming} @dialog-close=${() => (this.confirming = false)}>
        <div class="dialog-body">
          <p>Your current link and QR code stop working at once: nobody can send you a request with them any more. Your contacts are not affected.</p>
          <div class="row">
            <button class="primary" ?disabled=${this.busy} @click=${this.rotate}>${this.busy ? 'Making…' : 'Make a new address'}</button>
            <button autofocus @click=${() => (this.confirming = false)}>Cancel</button>
          </div>
        </div>
      </app-dialog>`;
  }

  private copy = async (): Promise<void> => {
    this.error = '';
    if (!(await copyText(this.chat.me?.address ?? '', this.renderRoot.querySelector<HTMLInputElement>('#address')))) {
      this.error = 'The browser did not let the page copy. The link is selected: copy it with Ctrl+C (⌘C on a Mac).';
      return;
    }
    this.said = 'Link copied.';
  };

  private share = async (): Promise<void> => {
    const me = this.chat.me;
    if (!me) return;
    try {
      await navigator.share({
        title: 'My p2p chat address',
        text: `Add me on p2p chat${me.name ? ` (${me.name})` : ''}:`,
        url: me.address,
      });
    } catch {
      // cancelled by the person, or nothing to share with: nothing to say
    }
  };

  private rotate = async (): Promise<void> => {
    const b = this.backend;
    if (!b) return;
    this.busy = true;
    this.error = '';
    try {
      await b.chat.rotateAddress();
      this.chat.refresh();
      this.said = 'You have a new address. The old link no longer works.';
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.busy = false;
      this.confirming = false;
    }
  };
}
customElements.define('share-address-view', ShareAddressView);

declare global {
  interface HTMLElementTagNameMap {
    'share-address-view': ShareAddressView;
  }
}
