/**
 * One message: its text, the time, and for ours the delivery tick (sending, sent, delivered,
 * read; named for screen readers). A reply shows the message it answers (`quoted`: who wrote it
 * and its text, or null when that message is not loaded); a click on it asks to show that
 * message (`show-message` event with its id). Reply and More buttons beside it (shown on hover or
 * focus where there is a pointer, always on touch): Reply fires `reply`; More opens Edit (ours)
 * and Delete, which fire `edit` and `delete`; each with the message id. An edited message says
 * so; a deleted one says it was deleted, and offers nothing. A failed message says why and
 * offers Retry (`retry` event with the message id).
 */
import { LitElement, css, html, nothing } from 'lit';
import type { MessageState } from '../../../shared/chat/api-types';
import type { ShownMessage } from '../controllers/conversation-controller';
import { timeText } from '../format';
import { icons } from '../icons';
import { controls } from '../styles';

const TICKS: Record<MessageState, { label: string; icon: unknown }> = {
  sending: { label: 'Sending', icon: icons.clock },
  sent: { label: 'Sent', icon: icons.check },
  delivered: { label: 'Delivered', icon: icons.checks },
  read: { label: 'Read', icon: icons.checks },
  failed: { label: 'Not sent', icon: icons.alert },
};

/** The message a reply answers, as a bubble shows it. */
export interface Quoted {
  who: string;
  text: string;
}

export class MessageBubble extends LitElement {
  static override properties = { message: { attribute: false }, quoted: { attribute: false }, menu: { state: true } };
  declare message: ShownMessage | undefined;
  declare quoted: Quoted | null | undefined;
  /** Whether the More menu (Edit, Delete) is open. */
  declare menu: boolean;

  static override styles = [
    controls,
    css`
      :host {
        display: flex;
        align-items: center;
        gap: 0.25rem;
      }
      :host([from='me']) {
        justify-content: flex-end;
      }
      :host([from='me']) .tools {
        order: -1;
        flex-direction: row-reverse;
      }
      .tools {
        display: flex;
      }
      .tools button {
        min-height: 2.25rem;
        min-width: 2.25rem;
        padding: 0.3rem;
        border: none;
        background: none;
        color: var(--muted);
        opacity: 0;
      }
      :host(:hover) .tools button,
      .tools button:focus-visible,
      .tools button[aria-expanded='true'] {
        opacity: 1;
      }
      @media (hover: none) {
        .tools button {
          opacity: 0.7;
        }
      }
      .tools svg.i {
        width: 1.1rem;
        height: 1.1rem;
      }
      .menu {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        margin-top: 0.4rem;
      }
      .menu button {
        min-height: 2.25rem;
        padding: 0.2rem 0.7rem;
        gap: 0.3rem;
        font-size: 0.875rem;
      }
      .menu svg.i {
        width: 1rem;
        height: 1rem;
      }
      .text.deleted {
        font-style: italic;
        opacity: 0.75;
      }
      .quote {
        display: block;
        width: 100%;
        min-height: 0;
        text-align: start;
        color: inherit;
        border-top: none;
        border-right: none;
        border-bottom: none;
        margin: 0.1rem 0 0.3rem;
        padding: 0.2rem 0.5rem;
        border-left: 3px solid currentColor;
        border-radius: 4px;
        background: rgb(127 127 127 / 0.16);
        font-size: 0.85rem;
      }
      button.quote:hover {
        background: rgb(127 127 127 / 0.26);
      }
      :host([highlight]) .bubble {
        outline: 3px solid var(--accent);
        outline-offset: 2px;
      }
      .them .quote {
        border-left-color: var(--accent);
      }
      .quote .who {
        display: block;
        font-weight: 600;
      }
      .quote .said {
        display: -webkit-box;
        -webkit-line-clamp: 2;
        -webkit-box-orient: vertical;
        overflow: hidden;
        white-space: pre-wrap;
      }
      .bubble {
        max-width: min(36rem, 82%);
        padding: 0.45rem 0.7rem 0.3rem;
        border-radius: 14px;
        background: var(--bubble-them);
        color: var(--bubble-them-fg);
        border: 1px solid var(--border);
        overflow-wrap: anywhere;
      }
      .me {
        background: var(--bubble-me);
        color: var(--bubble-me-fg);
        border-color: var(--bubble-me);
        border-bottom-right-radius: 4px;
      }
      .them {
        border-bottom-left-radius: 4px;
      }
      .text {
        white-space: pre-wrap;
      }
      .meta {
        display: flex;
        justify-content: flex-end;
        align-items: center;
        gap: 0.25rem;
        font-size: 0.75rem;
        color: var(--muted);
        margin-top: 0.1rem;
      }
      .me .meta {
        color: var(--bubble-me-meta);
      }
      .tick {
        display: inline-flex;
      }
      .tick svg.i {
        width: 1rem;
        height: 1rem;
      }
      .tick.read {
        color: var(--tick-read);
      }
      .tick.read svg.i {
        stroke-width: 3;
      }
      .failed {
        margin-top: 0.4rem;
        padding: 0.4rem 0.5rem;
        border-radius: 8px;
        background: var(--surface);
        color: var(--danger);
        display: flex;
        gap: 0.5rem;
        align-items: center;
        flex-wrap: wrap;
        font-size: 0.875rem;
      }
      .failed button {
        min-height: 2rem;
        padding: 0.2rem 0.7rem;
      }
    `,
  ];

  constructor() {
    super();
    this.message = undefined;
    this.quoted = undefined;
    this.menu = false;
    this.addEventListener('keydown', this.onKey);
  }

  protected override willUpdate(): void {
    if (this.message) this.setAttribute('from', this.message.from);
  }

  override render() {
    const m = this.message;
    if (!m) return nothing;
    const gone = m.deleted === true;
    const tick = m.from === 'me' && !gone ? TICKS[m.state] : undefined;
    const q = this.quoted;
    const acts = !m.local && !gone && m.state !== 'failed';
    return html`<div class="bubble ${m.from}">
      ${
        m.replyTo && !gone
          ? html`<button class="quote" title="Show the message it answers" @click=${this.show}>
              <span class="visually-hidden">In reply to</span>
              ${q ? html`<span class="who">${q.who}</span><span class="said">${q.text}</span>` : html`<span class="said">an earlier message</span>`}
            </button>`
          : nothing
      }
      <span class="visually-hidden">${m.from === 'me' ? 'You' : 'They'} said:</span>
      ${
        gone
          ? html`<div class="text deleted">${m.from === 'me' ? 'You deleted this message' : 'This message was deleted'}</div>`
          : html`<div class="text">${m.text}</div>`
      }
      <div class="meta">
        ${m.editedAt && !gone ? html`<span class="edited">edited</span>` : nothing}
        <time datetime=${new Date(m.sentAt).toISOString()}>${timeText(m.sentAt)}</time>
        ${tick ? html`<span class="tick ${m.state}" role="img" aria-label=${tick.label} title=${tick.label}>${tick.icon}</span>` : nothing}
      </div>
      ${
        m.state === 'failed' && m.from === 'me'
          ? html`<div class="failed" role="alert">
              <span>${m.error ?? 'Not sent.'}</span>
              <button @click=${this.retry}>Retry</button>
            </div>`
          : nothing
      }
      ${
        this.menu && acts
          ? html`<div class="menu" role="group" aria-label="Message actions">
              ${m.from === 'me' ? html`<button class="edit" @click=${() => this.fire('edit')}>${icons.edit}Edit</button>` : nothing}
              <button class="delete" @click=${() => this.fire('delete')}>${icons.trash}Delete</button>
            </div>`
          : nothing
      }
    </div>
    ${
      acts
        ? html`<div class="tools">
            <button class="reply" aria-label="Reply" title="Reply" @click=${() => this.fire('reply')}>${icons.reply}</button>
            <button class="more" aria-label="More actions" title="More actions" aria-expanded=${this.menu ? 'true' : 'false'} @click=${this.toggle}>${icons.more}</button>
          </div>`
        : nothing
    }`;
  }

  /** Fire `name` with the message id (and close the menu). */
  private fire(name: 'reply' | 'edit' | 'delete'): void {
    this.menu = false;
    if (this.message) this.dispatchEvent(new CustomEvent(name, { detail: this.message.messageId, bubbles: true, composed: true }));
  }

  private toggle = async (): Promise<void> => {
    this.menu = !this.menu;
    await this.updateComplete;
    if (this.menu) this.renderRoot.querySelector<HTMLButtonElement>('.menu button')?.focus();
  };

  private onKey = (ev: KeyboardEvent): void => {
    if (ev.key !== 'Escape' || !this.menu) return;
    this.menu = false;
    this.renderRoot.querySelector<HTMLButtonElement>('button.more')?.focus();
  };

  private show = (): void => {
    const id = this.message?.replyTo;
    if (id) this.dispatchEvent(new CustomEvent('show-message', { detail: id, bubbles: true, composed: true }));
  };

  private retry = (): void => {
    if (this.message) this.dispatchEvent(new CustomEvent('retry', { detail: this.message.messageId, bubbles: true, composed: true }));
  };
}
customElements.define('message-bubble', MessageBubble);

declare global {
  interface HTMLElementTagNameMap {
    'message-bubble': MessageBubble;
  }
}
