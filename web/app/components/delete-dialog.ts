/**
 * Asks before a message is deleted: ours go for both of us, theirs on this device only. Open
 * while `message` is set; fires `confirm` with the message id, or `dialog-close` (Cancel, Escape).
 */
import { LitElement, html } from 'lit';
import type { MessageInfo } from '../../../shared/chat/api-types';
import { controls } from '../styles';
import { dialogBody } from './action-panel';
import './app-dialog';

export class DeleteDialog extends LitElement {
  static override properties = { message: { attribute: false }, name: {} };
  declare message: MessageInfo | undefined;
  /** The contact's name. */
  declare name: string;

  static override styles = [controls, dialogBody];

  constructor() {
    super();
    this.message = undefined;
    this.name = '';
  }

  override render() {
    const m = this.message;
    return html`<app-dialog heading="Delete this message?" ?open=${!!m}>
      <div class="dialog-body">
        <p>${m?.from === 'me' ? `It is deleted for you and for ${this.name}.` : `It is deleted on this device only. ${this.name} still has it.`}</p>
        <div class="row">
          <button class="danger" @click=${this.confirm}>Delete</button>
          <button autofocus @click=${this.cancel}>Cancel</button>
        </div>
      </div>
    </app-dialog>`;
  }

  private confirm = (): void => {
    if (this.message) this.dispatchEvent(new CustomEvent('confirm', { detail: this.message.messageId }));
  };

  private cancel = (): void => {
    this.dispatchEvent(new CustomEvent('dialog-close'));
  };
}
customElements.define('delete-dialog', DeleteDialog);

declare global {
  interface HTMLElementTagNameMap {
    'delete-dialog': DeleteDialog;
  }
}
