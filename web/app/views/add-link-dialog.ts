/**
 * An address link opened in the app (`…/#add/v1.…`) asks, in a dialog, whether to send that
 * person a contact request. Fires `dialog-close` when dismissed and `contact-added` (detail: the
 * contact id) when the request is on its way.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { AppBackend } from '../backend';
import { errorText } from '../format';
import { previewLink } from '../link-preview';
import { controls } from '../styles';
import '../components/app-dialog';

export class AddLinkDialog extends LitElement {
  static override properties = { backend: { attribute: false }, link: {}, error: { state: true }, busy: { state: true } };
  declare backend: AppBackend | undefined;
  declare link: string;
  declare error: string;
  declare busy: boolean;

  static override styles = [
    controls,
    css`
      .body {
        display: grid;
        gap: 0.8rem;
      }
    `,
  ];

  constructor() {
    super();
    this.backend = undefined;
    this.link = '';
    this.error = '';
    this.busy = false;
  }

  override render() {
    const b = this.backend;
    if (!b || !this.link) return nothing;
    const p = previewLink(this.link, b.chat);
    if (!p.ok) {
      return html`<app-dialog open heading="This link cannot be added">
        <div class="body">
          <p>${p.error}</p>
          <div class="row"><button class="primary" @click=${this.cancel}>Close</button></div>
        </div>
      </app-dialog>`;
    }
    const who = p.name || 'this person';
    return html`<app-dialog open heading=${`Add ${who}?`}>
      <form class="body" @submit=${this.add} novalidate>
        <p>You opened the address link of ${who}. Send ${who} a contact request? You can chat once they accept.</p>
        <div class="field">
          <label for="message">First message <span class="hint">(optional)</span></label>
          <textarea id="message" rows="2" maxlength="300"></textarea>
        </div>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <div class="row">
          <button class="primary" type="submit" autofocus ?disabled=${this.busy}>${this.busy ? 'Sending…' : 'Send request'}</button>
          <button type="button" @click=${this.cancel}>Cancel</button>
        </div>
      </form>
    </app-dialog>`;
  }

  private cancel = (): void => {
    this.dispatchEvent(new CustomEvent('dialog-close', { bubbles: true, composed: true }));
  };

  private add = async (ev: Event): Promise<void> => {
    ev.preventDefault();
    const b = this.backend;
    if (!b) return;
    const message = this.renderRoot.querySelector<HTMLTextAreaElement>('#message')?.value.trim() ?? '';
    this.busy = true;
    this.error = '';
    try {
      const { contactId } = await b.chat.addContact(this.link, message ? { message } : {});
      this.dispatchEvent(new CustomEvent('contact-added', { detail: contactId, bubbles: true, composed: true }));
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.busy = false;
    }
  };
}
customElements.define('add-link-dialog', AddLinkDialog);

declare global {
  interface HTMLElementTagNameMap {
    'add-link-dialog': AddLinkDialog;
  }
}
