/**
 * The chat app's root: it waits for this tab's backend (the node here, or the tab that runs it),
 * shows the first run to a new profile, and otherwise the list and the open pane (side by side on
 * a desktop, one at a time on a phone), following the URL fragment (router.ts). An address link
 * opened in the app asks to add that person. Arriving messages are announced in a live region;
 * the title counts unread messages.
 */
import { LitElement, html, nothing } from 'lit';
import type { AppBackend } from './backend';
import { AttentionController } from './controllers/attention-controller';
import { ChatController } from './controllers/chat-controller';
import { StatusController } from './controllers/status-controller';
import { errorText } from './format';
import { navigate, parseRoute, type Route } from './router';
import { appStyles } from './app-styles';
import { controls } from './styles';
import { theme } from './theme';
import type { ConversationView } from './views/conversation-view';
import './components/join-progress';
import './components/signal-banner';
import './views/add-contact-view';
import './views/add-link-dialog';
import './views/contacts-view';
import './views/conversation-view';
import './views/first-run-view';

/** Panes loaded on first use, to keep them out of the first page load. */
const LAZY = {
  share: { tag: 'share-address-view', load: () => import('./views/share-address-view') },
  details: { tag: 'contact-details-view', load: () => import('./views/contact-details-view') },
  network: { tag: 'network-view', load: () => import('./views/network-view') },
  settings: { tag: 'settings-view', load: () => import('./views/settings-view') },
} as const;

export class P2PApp extends LitElement {
  static override properties = {
    backend: { attribute: false },
    error: { attribute: false },
    route: { state: true },
    phase: { reflect: true },
  };
  declare backend: AppBackend | undefined;
  /** Why the node could not start (shown instead of the app). */
  declare error: unknown;
  declare route: Route;
  /** The node's phase, on the element for scripts and tests (`<p2p-app phase="joined">`). */
  declare phase: string;
  readonly chat = new ChatController(this, () => this.backend);
  readonly status = new StatusController(this, () => this.backend);
  readonly attention = new AttentionController(this, () => this.backend);
  private interactive = false;
  private focusAfterRoute = false;

  static override styles = [theme, controls, appStyles];

  constructor() {
    super();
    this.backend = undefined;
    this.error = undefined;
    this.route = parseRoute(location.hash, location.href);
    this.phase = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('hashchange', this.onHash);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.onHash);
  }

  private onHash = (): void => {
    this.route = parseRoute(location.hash, location.href);
    this.focusAfterRoute = true;
  };

  protected override willUpdate(): void {
    this.phase = this.status.value?.phase ?? '';
    const lazy = LAZY[this.route.view as keyof typeof LAZY];
    if (lazy && !customElements.get(lazy.tag)) void lazy.load().then(() => this.requestUpdate());
  }

  protected override updated(): void {
    const first = this.interactive ? null : this.renderRoot.querySelector<LitElement>('first-run-view, contacts-view');
    if (first) {
      this.interactive = true;
      void first.updateComplete.then(() => performance.mark('p2p:interactive'));
    }
    if (this.focusAfterRoute) {
      this.focusAfterRoute = false;
      void this.focusPane();
    }
  }

  override render() {
    const live = html`<div class="visually-hidden" aria-live="polite" aria-atomic="true">${this.attention.live}</div>`;
    if (this.error !== undefined) return html`${this.renderError()}${live}`;
    const b = this.backend;
    const me = this.chat.me;
    // Before the chat answers: a profile this browser has never shown gets its first run at once
    // (its buttons wait for the chat); a known one its list as last seen (shell-cache.ts).
    const fresh = b?.role === 'starting' && !me;
    if (!b || (!me && !fresh)) {
      return html`<main class="center">
          <h1>p2p chat</h1>
          <p role="status">Opening your chats…</p>
        </main>${live}`;
    }
    if (fresh || !me?.name)
      return html`<first-run-view .backend=${b} @identity-ready=${() => this.chat.refresh()}></first-run-view>${live}`;
    const r = this.route;
    const selected = r.view === 'chat' || r.view === 'details' ? r.id : '';
    const list = r.view === 'contacts' || r.view === 'add-link';
    return html`<signal-banner .status=${this.status.value}></signal-banner>
      <div class=${`layout ${list ? 'list' : 'pane'}`}>
        <aside aria-label="Chats"><contacts-view .backend=${b} selected=${selected}></contacts-view></aside>
        <main>${this.renderPane(r, b)}</main>
      </div>
      ${
        r.view === 'add-link'
          ? html`<add-link-dialog
              .backend=${b}
              .link=${r.link}
              @dialog-close=${() => navigate({ view: 'contacts' }, { replace: true })}
              @contact-added=${(e: CustomEvent<string>) => navigate({ view: 'chat', id: e.detail }, { replace: true })}
            ></add-link-dialog>`
          : nothing
      }
      ${live}`;
  }

  private renderPane(r: Route, b: AppBackend) {
    switch (r.view) {
      case 'chat':
        return html`<conversation-view .backend=${b} contact-id=${r.id}></conversation-view>`;
      case 'add':
        return html`<add-contact-view .backend=${b}></add-contact-view>`;
      case 'share':
        return this.lazy('share', html`<share-address-view .backend=${b}></share-address-view>`);
      case 'details':
        return this.lazy('details', html`<contact-details-view .backend=${b} contact-id=${r.id}></contact-details-view>`);
      case 'network':
        return this.lazy('network', html`<network-view .backend=${b}></network-view>`);
      case 'settings':
        return this.lazy('settings', html`<settings-view .backend=${b}></settings-view>`);
      default:
        return html`<div class="placeholder">
          <h2>Your chats</h2>
          <p>Pick a contact on the left, or add someone with their address link.</p>
        </div>`;
    }
  }

  private lazy(key: keyof typeof LAZY, view: unknown) {
    return customElements.get(LAZY[key].tag) ? view : html`<p class="placeholder" role="status">Loading…</p>`;
  }

  private renderError() {
    return html`<main class="center">
      <h1>p2p chat could not start</h1>
      <p class="error" role="alert" id="error">${errorText(this.error)}</p>
      <div><button class="primary" @click=${() => location.reload()}>Reload</button></div>
    </main>`;
  }

  /** After navigating, move focus where the person will act: the message box, or the new pane's heading. */
  private async focusPane(): Promise<void> {
    const pane = this.renderRoot.querySelector('main > *') as (HTMLElement & { updateComplete?: Promise<unknown> }) | null;
    if (this.route.view === 'add-link') return;
    if (this.route.view === 'contacts' || !pane) {
      const h = this.renderRoot.querySelector('contacts-view')?.shadowRoot?.querySelector('h1');
      if (h && matchMedia(`(max-width: 719px)`).matches) focusHeading(h);
      return;
    }
    await pane.updateComplete;
    if (this.route.view === 'chat' && matchMedia('(pointer: fine)').matches) {
      (pane as unknown as ConversationView).focusComposer();
      return;
    }
    const h = pane.shadowRoot?.querySelector('h2');
    if (h) focusHeading(h);
  }
}

function focusHeading(h: HTMLElement): void {
  h.setAttribute('tabindex', '-1');
  h.focus({ preventScroll: true });
}

customElements.define('p2p-app', P2PApp);

declare global {
  interface HTMLElementTagNameMap {
    'p2p-app': P2PApp;
  }
}
