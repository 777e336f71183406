/**
 * A modal dialog: the native <dialog> (the rest of the page becomes inert), with a heading that
 * names it, focus moved inside on open (to the element marked `autofocus`, else the first
 * control), Tab and Shift+Tab kept inside, Escape to close, and focus given back on close to
 * whatever had it before. Fires `dialog-close` when it closes by itself (Escape, a close button).
 */
import { LitElement, css, html } from 'lit';
import { controls } from '../styles';
import { deepActiveElement, focusables } from './focus';

export class AppDialog extends LitElement {
  static override properties = { open: { type: Boolean, reflect: true }, heading: {} };
  declare open: boolean;
  declare heading: string;
  private returnTo: Element | null = null;

  static override styles = [
    controls,
    css`
      dialog {
        border: 1px solid var(--border);
        border-radius: var(--radius);
        background: var(--surface);
        color: var(--fg);
        padding: 1.25rem;
        width: min(30rem, calc(100vw - 2rem));
        max-height: calc(100vh - 2rem);
        overflow: auto;
        box-shadow: 0 10px 40px rgb(0 0 0 / 0.3);
      }
      dialog::backdrop {
        background: rgb(10 14 22 / 0.55);
      }
      h2 {
        margin-bottom: 0.75rem;
      }
    `,
  ];

  constructor() {
    super();
    this.open = false;
    this.heading = '';
  }

  private get dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  override render() {
    return html`<dialog aria-labelledby="heading" @close=${this.onClose} @keydown=${this.onKeydown}>
      <h2 id="heading">${this.heading}</h2>
      <slot></slot>
    </dialog>`;
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (!changed.has('open')) return;
    const d = this.dialog;
    if (!d) return;
    if (this.open && !d.open) {
      this.returnTo = deepActiveElement();
      d.showModal();
      const all = focusables(d);
      const auto = all.find((el) => el.hasAttribute('autofocus')) ?? all[0];
      auto?.focus();
    } else if (!this.open && d.open) {
      d.close();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.open) this.restoreFocus();
  }

  private onClose = (): void => {
    const wasOpen = this.open;
    this.open = false;
    this.restoreFocus();
    if (wasOpen) this.dispatchEvent(new CustomEvent('dialog-close', { bubbles: true, composed: true }));
  };

  private restoreFocus(): void {
    const el = this.returnTo;
    this.returnTo = null;
    if (el instanceof HTMLElement && el.isConnected) el.focus();
  }

  private onKeydown = (ev: KeyboardEvent): void => {
    if (ev.key !== 'Tab') return;
    const d = this.dialog;
    if (!d) return;
    const all = focusables(d);
    if (all.length === 0) return;
    const current = deepActiveElement();
    const first = all[0]!;
    const last = all[all.length - 1]!;
    if (ev.shiftKey && (current === first || !all.includes(current as HTMLElement))) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && (current === last || !all.includes(current as HTMLElement))) {
      ev.preventDefault();
      first.focus();
    }
  };
}
customElements.define('app-dialog', AppDialog);

declare global {
  interface HTMLElementTagNameMap {
    'app-dialog': AppDialog;
  }
}
