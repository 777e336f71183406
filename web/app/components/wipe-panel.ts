/** "Delete everything on this device", behind a confirmation that says what is lost. */
import { css, html, nothing } from 'lit';
import { errorText } from '../format';
import { clearLocalSettings } from '../local-settings';
import { clearShellCache } from '../shell-cache';
import { controls } from '../styles';
import { ActionPanel, dialogBody } from './action-panel';
import './app-dialog';

export class WipePanel extends ActionPanel {
  static override styles = [
    controls,
    dialogBody,
    css`
      :host {
        display: grid;
        gap: 0.8rem;
      }
    `,
  ];

  override render() {
    return html`<h3>Delete everything</h3>
      <p class="hint">Removes your identity, contacts and messages from this browser. Save a backup first if you want to keep them.</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div><button class="danger" @click=${() => (this.confirming = true)}>Delete everything on this device…</button></div>
      <app-dialog heading="Delete everything on this device?" ?open=${this.confirming} @dialog-close=${() => (this.confirming = false)}>
        <div class="dialog-body">
          <p>Your identity, contacts and messages are deleted from this browser. Without a backup they cannot be brought back, and your contacts will have to add you again.</p>
          <div class="row">
            <button class="danger" ?disabled=${this.busy} @click=${this.wipe}>${this.busy ? 'Deleting…' : 'Delete everything'}</button>
            <button autofocus @click=${() => (this.confirming = false)}>Cancel</button>
          </div>
        </div>
      </app-dialog>`;
  }

  private wipe = async (): Promise<void> => {
    const b = this.backend;
    if (!b) return;
    this.busy = true;
    this.error = '';
    try {
      await b.chat.wipe();
      clearLocalSettings(b.profile);
      clearShellCache(b.profile);
      location.replace(`${location.pathname}${location.search}`);
    } catch (e) {
      this.confirming = false;
      this.error = errorText(e);
    } finally {
      this.busy = false;
    }
  };
}
customElements.define('wipe-panel', WipePanel);

declare global {
  interface HTMLElementTagNameMap {
    'wipe-panel': WipePanel;
  }
}
