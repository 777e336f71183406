/**
 * A contact's details: the safety number (digits and QR code) to compare out of band, "mark as
 * verified", rename, and remove (after a confirmation).
 */
import { css, html, nothing } from 'lit';
import type { AppBackend } from '../backend';
import { ChatController } from '../controllers/chat-controller';
import { errorText } from '../format';
import { icons } from '../icons';
import { hrefOf, navigate } from '../router';
import { controls } from '../styles';
import { paneStyles } from './pane-styles';
import { ActionPanel, dialogBody } from '../components/action-panel';
import '../components/app-dialog';
import '../components/safety-number';

const STATE_TEXT = { accepted: 'Contact', requested: 'Request sent, not accepted yet', pending: 'Wants to add you' } as const;

export class ContactDetailsView extends ActionPanel {
  static override properties = { contactId: { attribute: 'contact-id' } };
  declare contactId: string;
  private readonly chat = new ChatController(this, () => this.backend);

  static override styles = [
    controls,
    paneStyles,
    dialogBody,
    css`
      .verified {
        display: inline-flex;
        gap: 0.4rem;
        align-items: center;
        color: var(--ok);
        font-weight: 600;
      }
      form.rename {
        display: flex;
        gap: 0.5rem;
        align-items: end;
        flex-wrap: wrap;
      }
      form.rename .field {
        flex: 1 1 14rem;
      }
    `,
  ];

  constructor() {
    super();
    this.contactId = '';
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('contactId')) {
      this.error = '';
      this.said = '';
    }
  }

  override render() {
    const c = this.chat.contact(this.contactId);
    if (!c) {
      return html`<header><a class="back" href="#/" aria-label="Back to chats">${icons.back}</a><h2>Contact</h2></header>
        <div class="body"><p>This contact is not in your list.</p></div>`;
    }
    const name = c.name || 'Unnamed contact';
    return html`<header>
        <a class="back" href=${hrefOf({ view: 'chat', id: c.contactId })} aria-label=${`Back to the chat with ${name}`}>${icons.back}</a>
        <h2>${name}</h2>
      </header>
      <div class="body">
        <p>${STATE_TEXT[c.state]}${c.state === 'accepted' ? (c.online ? ' · online' : ' · offline') : ''}</p>
        <p role="status" class="hint">${this.said}</p>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <section aria-labelledby="sn-h">
          <h3 id="sn-h">Safety number</h3>
          <p class="hint">Compare this number with ${name}: in person, or on a call you trust. If it is the same on both screens, nobody is listening in between, and you can mark ${name} as verified.</p>
          <safety-number .value=${c.safetyNumber} .name=${name}></safety-number>
          ${
            c.verified
              ? html`<p class="verified">${icons.shield}Verified</p>`
              : html`<div><button class="primary" ?disabled=${this.busy} @click=${this.verify}>Mark as verified</button></div>`
          }
        </section>
        <section aria-labelledby="name-h">
          <h3 id="name-h">Name</h3>
          <form class="rename" @submit=${this.rename} novalidate>
            <div class="field">
              <label for="rename">Name for this contact</label>
              <input id="rename" maxlength="64" autocomplete="off" .value=${c.name} />
            </div>
            <button type="submit" ?disabled=${this.busy}>Rename</button>
          </form>
        </section>
        <section aria-labelledby="remove-h">
          <h3 id="remove-h">Remove</h3>
          <p class="hint">${name} will no longer be able to reach you or see when you are online. To chat again, one of you sends a new request.</p>
          <div><button class="danger" @click=${() => (this.confirming = true)}>Remove ${name}…</button></div>
        </section>
      </div>
      <app-dialog heading=${`Remove ${name}?`} ?open=${this.confirming} @dialog-close=${() => (this.confirming = false)}>
        <div class="dialog-body">
          <p>${name} disappears from your contacts and can no longer find you on the network.</p>
          <div class="row">
            <button class="danger" ?disabled=${this.busy} @click=${this.removeContact}>Remove</button>
            <button autofocus @click=${() => (this.confirming = false)}>Cancel</button>
          </div>
        </div>
      </app-dialog>`;
  }

  private async act(fn: (b: AppBackend) => Promise<void>, said: string): Promise<boolean> {
    const b = this.backend;
    if (!b) return false;
    this.busy = true;
    this.error = '';
    this.said = '';
    try {
      await fn(b);
      this.said = said;
      return true;
    } catch (e) {
      this.error = errorText(e);
      return false;
    } finally {
      this.busy = false;
      this.chat.refresh();
    }
  }

  private verify = (): Promise<boolean> => this.act((b) => b.chat.markVerified(this.contactId), 'Marked as verified.');

  private rename = async (ev: Event): Promise<void> => {
    ev.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>('#rename')!;
    const name = input.value.trim();
    if (!name) {
      this.error = 'Type a name first.';
      input.focus();
      return;
    }
    await this.act((b) => b.chat.rename(this.contactId, name), `Renamed to ${name}.`);
  };

  private removeContact = async (): Promise<void> => {
    const ok = await this.act((b) => b.chat.removeContact(this.contactId), 'Removed.');
    this.confirming = false;
    if (ok) navigate({ view: 'contacts' }, { replace: true });
  };
}
customElements.define('contact-details-view', ContactDetailsView);

declare global {
  interface HTMLElementTagNameMap {
    'contact-details-view': ContactDetailsView;
  }
}
