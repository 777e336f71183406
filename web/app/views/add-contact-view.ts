/**
 * Add a contact: paste their address link (or scan its QR code where the browser can), see whose
 * it is, optionally name them and write a first message, and send the request.
 */
import { LitElement, html, nothing } from 'lit';
import type { AppBackend } from '../backend';
import { ChatController } from '../controllers/chat-controller';
import { errorText } from '../format';
import { icons } from '../icons';
import { previewLink, type LinkPreview } from '../link-preview';
import { hrefOf } from '../router';
import { controls } from '../styles';
import { barcodeDetector } from '../components/qr-scanner';
import '../components/qr-scanner';
import { paneStyles } from './pane-styles';

export class AddContactView extends LitElement {
  static override properties = {
    backend: { attribute: false },
    preview: { state: true },
    error: { state: true },
    busy: { state: true },
    sent: { state: true },
    scanning: { state: true },
  };
  declare backend: AppBackend | undefined;
  declare preview: LinkPreview | undefined;
  declare error: string;
  declare busy: boolean;
  declare sent: { contactId: string; name: string } | undefined;
  declare scanning: boolean;
  private readonly chat = new ChatController(this, () => this.backend);

  static override styles = [controls, paneStyles];

  constructor() {
    super();
    this.backend = undefined;
    this.preview = undefined;
    this.error = '';
    this.busy = false;
    this.sent = undefined;
    this.scanning = false;
  }

  override render() {
    const p = this.preview;
    return html`<header>
        <a class="back" href="#/" aria-label="Back to chats">${icons.back}</a>
        <h2>Add a contact</h2>
      </header>
      <div class="body">
        ${this.sent ? this.renderSent(this.sent) : nothing}
        <form @submit=${this.submit} novalidate>
          <div class="field">
            <label for="link">Their address link</label>
            <textarea id="link" rows="3" autocomplete="off" spellcheck="false" @input=${this.onLink} aria-describedby="link-hint link-check"></textarea>
            <p id="link-hint" class="hint">Ask them for the link from “Share my address”, then paste it here.</p>
            <p id="link-check" class=${p?.ok === false ? 'error' : 'hint'} role="status">${p ? (p.ok ? `This is the address of ${p.name || 'someone without a name'}.` : p.error) : ''}</p>
          </div>
          ${barcodeDetector() ? this.renderScan() : nothing}
          <div class="field">
            <label for="name">Name to show <span class="hint">(optional)</span></label>
            <input id="name" autocomplete="off" maxlength="64" placeholder=${p?.ok && p.name ? p.name : ''} />
          </div>
          <div class="field">
            <label for="message">First message <span class="hint">(optional)</span></label>
            <textarea id="message" rows="2" maxlength="300" aria-describedby="message-hint"></textarea>
            <p id="message-hint" class="hint">Sent with your request, so they know who you are. Up to 300 characters.</p>
          </div>
          ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
          <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Sending…' : 'Send request'}</button>
        </form>
      </div>`;
  }

  private renderScan() {
    if (!this.scanning)
      return html`<div><button type="button" class="icon" @click=${this.startScan}>${icons.camera}Scan a QR code</button></div>`;
    return html`<div class="field">
      <qr-scanner @scanned=${this.onScanned}></qr-scanner>
      <div><button type="button" @click=${() => (this.scanning = false)}>Stop scanning</button></div>
    </div>`;
  }

  private renderSent(s: { contactId: string; name: string }) {
    return html`<div class="card" role="status">
      <p><strong>Request sent to ${s.name || 'your new contact'}.</strong> They appear as a contact once they accept; it is delivered even if they are offline now.</p>
      <p><a href=${hrefOf({ view: 'chat', id: s.contactId })}>Open the chat</a></p>
    </div>`;
  }

  private field<T extends HTMLElement>(id: string): T {
    return this.renderRoot.querySelector<T>(`#${id}`)!;
  }

  private onLink = (): void => {
    const link = this.field<HTMLTextAreaElement>('link').value.trim();
    this.error = '';
    this.preview = link && this.backend && this.backend.role !== 'starting' ? previewLink(link, this.backend.chat) : undefined;
  };

  private startScan = (): void => {
    this.scanning = true;
  };

  private onScanned = (e: CustomEvent<string>): void => {
    this.scanning = false;
    this.field<HTMLTextAreaElement>('link').value = e.detail;
    this.onLink();
  };

  private submit = async (ev: Event): Promise<void> => {
    ev.preventDefault();
    const b = this.backend;
    if (!b) return;
    const linkEl = this.field<HTMLTextAreaElement>('link');
    const link = linkEl.value.trim();
    if (!link) {
      this.error = 'Paste their address link first.';
      linkEl.focus();
      return;
    }
    const name = this.field<HTMLInputElement>('name').value.trim();
    const message = this.field<HTMLTextAreaElement>('message').value.trim();
    this.busy = true;
    this.error = '';
    try {
      const { contactId } = await b.chat.addContact(link, { ...(name ? { name } : {}), ...(message ? { message } : {}) });
      this.sent = { contactId, name: name || (this.preview?.ok ? this.preview.name : '') };
      for (const id of ['link', 'name', 'message']) this.field<HTMLInputElement>(id).value = '';
      this.preview = undefined;
      this.chat.refresh();
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.busy = false;
    }
  };
}
customElements.define('add-contact-view', AddContactView);

declare global {
  interface HTMLElementTagNameMap {
    'add-contact-view': AddContactView;
  }
}
