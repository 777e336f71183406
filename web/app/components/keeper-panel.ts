/**
 * "Mail keeper": choose which contact is your own always-on peer that holds your mail while you
 * are away (docs/chat-design.md, "Mail keeper"), with how to start one.
 */
import { css, html } from 'lit';
import { ChatController } from '../controllers/chat-controller';
import { copyText } from '../clipboard';
import { errorText } from '../format';
import { controls } from '../styles';
import { ActionPanel } from './action-panel';

export class KeeperPanel extends ActionPanel {
  static override properties = { copied: { state: true }, copyError: { state: true } };
  /** What the copy button did (next to it). */
  declare copied: string;
  declare copyError: string;
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
      summary {
        cursor: pointer;
        color: var(--accent);
      }
      ol {
        margin: 0.5rem 0;
        padding-left: 1.25rem;
      }
      .cmd {
        display: block;
        margin: 0.5rem 0;
        padding: 0.5rem 0.6rem;
        border: 1px solid var(--border);
        border-radius: 6px;
        font-family: ui-monospace, Menlo, Consolas, monospace;
        font-size: 0.8rem;
        word-break: break-all;
        user-select: all;
      }
    `,
  ];

  constructor() {
    super();
    this.copied = '';
    this.copyError = '';
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
          that is always on can hold them for longer, without being able to read them.
        </p>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p class="hint" role="status">${this.said}</p>`}
        <div><button type="submit">Save keeper</button></div>
      </form>
      <details>
        <summary>How to set up a keeper</summary>
        <ol class="hint">
          <li>On a computer that stays on and has this app's code (see its self-hosting guide), run this command. It names you as the keeper's owner.</li>
          <li>The keeper prints its own address: add it as a contact.</li>
          <li>Choose that contact above and save.</li>
        </ol>
        <code class="cmd" id="keeper-cmd">${this.command()}</code>
        <div><button type="button" @click=${this.copy}>Copy command</button></div>
        ${this.copyError ? html`<p class="error" role="alert">${this.copyError}</p>` : html`<p class="hint" role="status">${this.copied}</p>`}
      </details>`;
  }

  /** The command that starts a keeper for us; the link is quoted for the shell. */
  private command(): string {
    return `npm run peer -- --keep-for '${(this.chat.me?.address ?? '').replaceAll("'", '%27')}'`;
  }

  private copy = async (): Promise<void> => {
    this.copied = '';
    this.copyError = '';
    if (await copyText(this.command(), this.renderRoot.querySelector<HTMLElement>('#keeper-cmd'))) this.copied = 'Command copied.';
    else this.copyError = 'The browser did not let the page copy. The command is selected: copy it with Ctrl+C (⌘C on a Mac).';
  };

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
