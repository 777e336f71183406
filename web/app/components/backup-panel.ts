/**
 * Backup: export an encrypted file of identity, contacts and history (with a passphrase typed
 * twice), or restore one (after a confirmation: it replaces what this device holds).
 */
import { css, html, nothing } from 'lit';
import { errorText } from '../format';
import { controls } from '../styles';
import { ActionPanel, dialogBody } from './action-panel';
import './app-dialog';

/** Shorter passphrases are refused: the backup holds the identity key. */
export const MIN_PASSPHRASE = 8;

export class BackupPanel extends ActionPanel {
  static override properties = { importError: { state: true } };
  declare importError: string;

  static override styles = [
    controls,
    dialogBody,
    css`
      :host {
        display: grid;
        gap: 1rem;
        padding-bottom: 1.25rem;
        border-bottom: 1px solid var(--border);
      }
      form {
        display: grid;
        gap: 0.8rem;
      }
    `,
  ];

  constructor() {
    super();
    this.importError = '';
  }

  override render() {
    return html`<h3 id="backup-h">Backup</h3>
      <form @submit=${this.export} novalidate aria-labelledby="backup-h">
        <p class="hint">Your identity, contacts and messages, encrypted with a passphrase. Keep the file and the passphrase safe: with both, anyone can be you.</p>
        <div class="field">
          <label for="export-pass">Passphrase for the backup</label>
          <input id="export-pass" type="password" autocomplete="new-password" aria-describedby="pass-hint" />
          <p id="pass-hint" class="hint">At least ${MIN_PASSPHRASE} characters. It cannot be recovered if you forget it.</p>
        </div>
        <div class="field">
          <label for="export-pass2">Passphrase again</label>
          <input id="export-pass2" type="password" autocomplete="new-password" />
        </div>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p class="hint" role="status">${this.said}</p>`}
        <div><button type="submit" ?disabled=${this.busy}>Save a backup file</button></div>
      </form>
      <form @submit=${this.askImport} novalidate>
        <h4 style="margin:0">Restore a backup</h4>
        <div class="field">
          <label for="import-file">Backup file</label>
          <input id="import-file" type="file" accept=".p2pchat,application/octet-stream" />
        </div>
        <div class="field">
          <label for="import-pass">Passphrase of that backup</label>
          <input id="import-pass" type="password" autocomplete="current-password" />
        </div>
        ${this.importError ? html`<p class="error" role="alert">${this.importError}</p>` : nothing}
        <div><button type="submit" ?disabled=${this.busy}>Restore…</button></div>
      </form>
      <app-dialog heading="Restore this backup?" ?open=${this.confirming} @dialog-close=${() => (this.confirming = false)}>
        <div class="dialog-body">
          <p>The identity, contacts and messages in the backup replace the ones on this device.</p>
          <div class="row">
            <button class="primary" ?disabled=${this.busy} @click=${this.import}>Restore</button>
            <button autofocus @click=${() => (this.confirming = false)}>Cancel</button>
          </div>
        </div>
      </app-dialog>`;
  }

  private value(id: string): string {
    return this.renderRoot.querySelector<HTMLInputElement>(`#${id}`)?.value ?? '';
  }

  private export = async (ev: Event): Promise<void> => {
    ev.preventDefault();
    const pass = this.value('export-pass');
    this.said = '';
    if (pass.length < MIN_PASSPHRASE) {
      this.error = `Use a passphrase of at least ${MIN_PASSPHRASE} characters.`;
      return;
    }
    if (pass !== this.value('export-pass2')) {
      this.error = 'The two passphrases are not the same.';
      return;
    }
    this.error = '';
    this.busy = true;
    try {
      const blob = await this.backend!.chat.exportBackup(pass);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `p2p-chat-backup-${new Date().toISOString().slice(0, 10)}.p2pchat`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
      this.said = 'Backup saved to your downloads.';
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.busy = false;
    }
  };

  private askImport = (ev: Event): void => {
    ev.preventDefault();
    const file = this.renderRoot.querySelector<HTMLInputElement>('#import-file')?.files?.[0];
    if (!file) {
      this.importError = 'Choose the backup file first.';
      return;
    }
    if (!this.value('import-pass')) {
      this.importError = 'Type the passphrase of the backup.';
      return;
    }
    this.importError = '';
    this.confirming = true;
  };

  private import = async (): Promise<void> => {
    const file = this.renderRoot.querySelector<HTMLInputElement>('#import-file')?.files?.[0];
    if (!file) return;
    this.busy = true;
    try {
      await this.backend!.chat.importBackup(file, this.value('import-pass'));
      this.confirming = false;
      location.reload();
    } catch (e) {
      this.confirming = false;
      this.importError = errorText(e);
    } finally {
      this.busy = false;
    }
  };
}
customElements.define('backup-panel', BackupPanel);

declare global {
  interface HTMLElementTagNameMap {
    'backup-panel': BackupPanel;
  }
}
