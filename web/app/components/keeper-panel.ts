/**
 * "Mail keeper": choose which contact is your own always-on peer that holds your mail while you
 * are away (docs/chat-design.md, "Mail keeper"), with how to start one.
 */
import { LitElement, css, html } from 'lit';
import type { AppBackend } from '../backend';
import { ChatController } from '../controllers/chat-controller';
import { errorText } from '../format';
import { controls } from '../styles';

export class KeeperPanel extends LitElement {
  static override properties = { backend: { attribute: false }, said: { state: true }, error: { state: true } };
  declare backend: AppBackend | undefined;
  declare said: string;
  declare error: string;
  private readonly chat = new ChatController(this, () => this.backend);

  static override styles = [
    controls,
    css`
      :host {
        display: grid;
        gap: 0.8rem;
        padding-bottom: 1.25rem;
        border-bottom: 1px solid var(--border);
      }
      code {
        font-family: ui-monospace, Menlo, Consolas, monospace;
        font-size: 0.85rem;
        overflow-wrap: anywhere;
      }
    `,
  ];

  constructor() {
    super();
    this.backend = undefined;
    this.said = '';
    this.error = '';
  }

  override render() {
    const current = this.chat.me?.keeper ?? '';
    const accepted = this.chat.contacts.filter((c) => c.state === 'accepted');
    return html`<h3 id="keeper-h">Mail keeper</h3>
      <form class="field" @submit=${this.save} novalidate aria-labelledby="keeper-h">
        <label for="keeper">Contact that holds my mail</label>
        <select id="keeper" aria-describedby="keeper-hint">
          <option value="" ?selected=${current === ''}>None</option>
          ${accepted.map((c) => html`<option value=${c.contactId} ?selected=${c.contactId === current}>${c.name || 'Unnamed contact'}</option>`)}
        </select>
        <p id="keeper-hint" class="hint">
          Messages sent to you while you are away wait in the network for 2 hours after their sender leaves too. A computer of yours
          that is always on can hold them for longer, without being able to read them: run
          <code>npm run peer -- --keep-for &lt;your address link&gt;</code> on it, add the address it prints as a contact, then choose
          it here.
        </p>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p class="hint" role="status">${this.said}</p>`}
        <div><button type="submit">Save keeper</button></div>
      </form>`;
  }

  private save = async (e: Event): Promise<void> => {
    e.preventDefault();
    const b = this.backend;
    if (!b) return;
    const id = this.renderRoot.querySelector<HTMLSelectElement>('#keeper')!.value;
    try {
      await b.chat.setKeeper(id === '' ? null : id);
      this.error = '';
      this.said = id === '' ? 'No mail keeper.' : 'Saved. Your keeper holds mail from now on.';
    } catch (err) {
      this.said = '';
      this.error = errorText(err);
    }
  };
}
customElements.define('keeper-panel', KeeperPanel);

declare global {
  interface HTMLElementTagNameMap {
    'keeper-panel': KeeperPanel;
  }
}
