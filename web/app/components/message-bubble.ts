/**
 * One message: its text, the time, and for ours the delivery tick (sending, sent, delivered,
 * read; named for screen readers). A failed message says why and offers Retry (`retry` event
 * with the message id).
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

export class MessageBubble extends LitElement {
  static override properties = { message: { attribute: false } };
  declare message: ShownMessage | undefined;

  static override styles = [
    controls,
    css`
      :host {
        display: flex;
      }
      :host([from='me']) {
        justify-content: flex-end;
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
  }

  protected override willUpdate(): void {
    if (this.message) this.setAttribute('from', this.message.from);
  }

  override render() {
    const m = this.message;
    if (!m) return nothing;
    const tick = m.from === 'me' ? TICKS[m.state] : undefined;
    return html`<div class="bubble ${m.from}">
      <span class="visually-hidden">${m.from === 'me' ? 'You' : 'They'} said:</span>
      <div class="text">${m.text}</div>
      <div class="meta">
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
    </div>`;
  }

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
