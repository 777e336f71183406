/**
 * The first screen of a new profile: pick a name (the identity already exists; the name is what
 * people you add see), or restore everything from a backup file. The node joins the network
 * meanwhile, and the progress shows it. Fires `identity-ready` when done.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { AppBackend } from '../backend';
import { StatusController } from '../controllers/status-controller';
import { errorText } from '../format';
import { controls } from '../styles';
import '../components/join-progress';

const MAX_NAME_BYTES = 64;

export class FirstRunView extends LitElement {
  static override properties = {
    backend: { attribute: false },
    error: { state: true },
    busy: { state: true },
    restoring: { state: true },
    restoreError: { state: true },
  };
  declare backend: AppBackend | undefined;
  declare error: string;
  declare busy: boolean;
  declare restoring: boolean;
  declare restoreError: string;
  private readonly status = new StatusController(this, () => this.backend);

  static override styles = [
    controls,
    css`
      :host {
        display: grid;
        place-items: start center;
        min-height: 100vh;
        padding: 1rem;
      }
      main {
        width: min(30rem, 100%);
        display: grid;
        gap: 1.25rem;
        margin-top: max(0px, calc(12vh - 2rem));
      }
      .card {
        display: grid;
        gap: 1rem;
      }
      h1 {
        font-size: 1.6rem;
      }
      form {
        display: grid;
        gap: 0.8rem;
      }
      .restore {
        display: grid;
        gap: 0.8rem;
        border-top: 1px solid var(--border);
        padding-top: 1rem;
      }
      button.primary {
        justify-self: start;
      }
    `,
  ];

  constructor() {
    super();
    this.backend = undefined;
    this.error = '';
    this.busy = false;
    this.restoring = false;
    this.restoreError = '';
  }

  override render() {
    return html`<main>
      <div class="card">
        <h1>Welcome to p2p chat</h1>
        <p>Chat privately with the people you add, straight from this browser. No account and no phone number: messages are encrypted on this device and go directly to theirs.</p>
        <form @submit=${this.start} novalidate>
          <div class="field">
            <label for="name">Your name</label>
            <input id="name" name="name" autocomplete="nickname" maxlength="64" aria-describedby="name-hint ${this.error ? 'name-error' : ''}" aria-invalid=${this.error ? 'true' : 'false'} autofocus />
            <p id="name-hint" class="hint">People you add will see this name. You can change it later.</p>
            ${this.error ? html`<p id="name-error" class="error" role="alert">${this.error}</p>` : nothing}
          </div>
          <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Starting…' : 'Start chatting'}</button>
        </form>
        <div class="restore">
          ${this.restoring ? this.renderRestore() : html`<p>Used p2p chat before? <button @click=${this.openRestore} aria-expanded="false">Restore from a backup</button></p>`}
        </div>
      </div>
      <section class="card" aria-label="Network">
        <join-progress .status=${this.status.value}></join-progress>
      </section>
    </main>`;
  }

  private renderRestore() {
    return html`<form @submit=${this.restore} novalidate>
      <h2>Restore from a backup</h2>
      <div class="field">
        <label for="file">Backup file</label>
        <input id="file" name="file" type="file" accept=".p2pchat,application/octet-stream" />
      </div>
      <div class="field">
        <label for="passphrase">Passphrase</label>
        <input id="passphrase" name="passphrase" type="password" autocomplete="current-password" />
        <p class="hint">The passphrase you chose when you saved the backup.</p>
      </div>
      ${this.restoreError ? html`<p class="error" role="alert">${this.restoreError}</p>` : nothing}
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Restoring…' : 'Restore'}</button>
        <button type="button" @click=${() => (this.restoring = false)}>Cancel</button>
      </div>
    </form>`;
  }

  private openRestore = async (): Promise<void> => {
    this.restoring = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('#file')?.focus();
  };

  private start = async (ev: Event): Promise<void> => {
    ev.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>('#name')!;
    const name = input.value.trim();
    if (!name) return this.fail('Type the name people will see.', input);
    if (new TextEncoder().encode(name).length > MAX_NAME_BYTES) return this.fail('That name is too long. Use at most 64 letters.', input);
    if (!this.backend) return;
    this.busy = true;
    this.error = '';
    try {
      await this.backend.chat.setName(name);
      this.dispatchEvent(new CustomEvent('identity-ready', { bubbles: true, composed: true }));
    } catch (e) {
      this.fail(errorText(e), input);
    } finally {
      this.busy = false;
    }
  };

  private restore = async (ev: Event): Promise<void> => {
    ev.preventDefault();
    const file = this.renderRoot.querySelector<HTMLInputElement>('#file')?.files?.[0];
    const pass = this.renderRoot.querySelector<HTMLInputElement>('#passphrase')?.value ?? '';
    if (!file) {
      this.restoreError = 'Choose the backup file first.';
      return;
    }
    if (!pass) {
      this.restoreError = 'Type the passphrase of the backup.';
      return;
    }
    if (!this.backend) return;
    this.busy = true;
    this.restoreError = '';
    try {
      await this.backend.chat.importBackup(file, pass);
      this.dispatchEvent(new CustomEvent('identity-ready', { bubbles: true, composed: true }));
    } catch (e) {
      this.restoreError = errorText(e);
    } finally {
      this.busy = false;
    }
  };

  private fail(msg: string, input: HTMLInputElement): void {
    this.error = msg;
    input.focus();
  }
}
customElements.define('first-run-view', FirstRunView);

declare global {
  interface HTMLElementTagNameMap {
    'first-run-view': FirstRunView;
  }
}
