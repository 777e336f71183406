/**
 * The list: contact requests waiting for an answer at the top (accept, decline), then contacts
 * with an online dot, unread count and last message, then the ones we asked who have not
 * answered yet. Links to add a contact, share my address, the network and settings.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { ContactInfo } from '../../../shared/chat/api-types';
import type { AppBackend } from '../backend';
import { ChatController } from '../controllers/chat-controller';
import { PreviewController } from '../controllers/preview-controller';
import { StatusController } from '../controllers/status-controller';
import { errorText, plural } from '../format';
import { icons } from '../icons';
import { loadLocalSettings, saveLocalSettings } from '../local-settings';
import { controls } from '../styles';
import '../components/contact-row';
import '../components/request-row';

export class ContactsView extends LitElement {
  static override properties = {
    backend: { attribute: false },
    selected: {},
    busy: { state: true },
    error: { state: true },
    askNotify: { state: true },
  };
  declare backend: AppBackend | undefined;
  /** The contact whose conversation is open (highlighted). */
  declare selected: string;
  declare busy: string;
  declare error: string;
  declare askNotify: boolean;
  private readonly chat = new ChatController(this, () => this.backend);
  private readonly previews = new PreviewController(this, () => this.backend);
  private readonly status = new StatusController(this, () => this.backend);

  static override styles = [
    controls,
    css`
      :host {
        display: flex;
        flex-direction: column;
        height: 100%;
        min-height: 0;
      }
      header {
        display: grid;
        gap: 0.6rem;
        padding: 0.9rem 0.9rem 0.6rem;
        border-bottom: 1px solid var(--border);
      }
      .title {
        display: flex;
        justify-content: space-between;
        align-items: baseline;
        gap: 0.5rem;
      }
      .who {
        color: var(--muted);
        font-size: 0.85rem;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      nav {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      a.button {
        display: inline-flex;
        align-items: center;
        gap: 0.35rem;
        padding: 0.4rem 0.75rem;
        min-height: 2.5rem;
        border: 1px solid var(--border-strong);
        border-radius: 8px;
        color: var(--fg);
        text-decoration: none;
        font-size: 0.95rem;
      }
      a.button.primary {
        background: var(--accent);
        border-color: var(--accent);
        color: var(--accent-fg);
        font-weight: 600;
      }
      a.button:hover {
        background: var(--surface-2);
      }
      a.button.primary:hover {
        background: var(--accent);
        filter: brightness(1.08);
      }
      .scroll {
        flex: 1;
        overflow-y: auto;
        padding: 0.5rem;
        display: grid;
        align-content: start;
        gap: 0.75rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.25rem;
      }
      h2 {
        font-size: 0.8rem;
        text-transform: uppercase;
        letter-spacing: 0.05em;
        color: var(--muted);
        padding: 0 0.75rem 0.3rem;
      }
      .empty {
        padding: 1.5rem 0.75rem;
        display: grid;
        gap: 0.8rem;
        color: var(--muted);
      }
      .prompt {
        margin: 0 0.25rem;
        display: grid;
        gap: 0.5rem;
      }
      .prompt h2 {
        padding: 0;
        text-transform: none;
        letter-spacing: 0;
        font-size: 1rem;
        color: var(--fg);
      }
      footer nav {
        padding: 0.6rem 0.9rem;
        border-top: 1px solid var(--border);
      }
      footer a.button {
        border-color: transparent;
      }
    `,
  ];

  constructor() {
    super();
    this.backend = undefined;
    this.selected = '';
    this.busy = '';
    this.error = '';
    this.askNotify = false;
  }

  protected override willUpdate(): void {
    const b = this.backend;
    if (!b) return;
    const s = loadLocalSettings(b.profile);
    this.askNotify =
      !s.askedNotifications &&
      typeof Notification !== 'undefined' &&
      Notification.permission === 'default' &&
      this.chat.contacts.some((c) => c.state === 'accepted');
  }

  override render() {
    const me = this.chat.me;
    const s = this.status.value;
    const net = !s
      ? 'starting…'
      : s.phase !== 'joined'
        ? 'joining the network…'
        : s.peers === 0
          ? 'no connections yet'
          : plural(s.peers, 'connection');
    const contacts = this.chat.contacts.filter((c) => c.state !== 'pending');
    const accepted = this.sorted(contacts.filter((c) => c.state === 'accepted'));
    const waiting = contacts.filter((c) => c.state === 'requested');
    return html`<header>
        <div class="title">
          <h1>Chats</h1>
          <span class="who">${me?.name ?? ''} · ${net}</span>
        </div>
        <nav aria-label="Contacts">
          <a class="button primary" href="#/add">${icons.add}Add contact</a>
          <a class="button" href="#/share">${icons.share}Share my address</a>
        </nav>
      </header>
      <div class="scroll">
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${this.askNotify ? this.renderNotifyPrompt() : nothing}
        ${
          this.chat.requests.length > 0
            ? html`<section aria-labelledby="requests-h">
                <h2 id="requests-h">Contact requests</h2>
                <ul>
                  ${this.chat.requests.map(
                    (r) =>
                      html`<li><request-row .request=${r} ?busy=${this.busy === r.contactId} @accept=${this.accept} @reject=${this.reject}></request-row></li>`,
                  )}
                </ul>
              </section>`
            : nothing
        }
        ${accepted.length > 0 ? this.renderList('contacts-h', 'Contacts', accepted) : nothing}
        ${waiting.length > 0 ? this.renderList('waiting-h', 'Waiting for an answer', waiting) : nothing}
        ${
          contacts.length === 0 && this.chat.requests.length === 0
            ? html`<div class="empty">
                <p>No contacts yet. Share your address with someone you know, or add theirs.</p>
              </div>`
            : nothing
        }
      </div>
      <footer>
        <nav aria-label="More">
          <a class="button" href="#/network">${icons.network}Network</a>
          <a class="button" href="#/settings">${icons.settings}Settings</a>
        </nav>
      </footer>`;
  }

  private renderList(id: string, title: string, list: ContactInfo[]) {
    return html`<section aria-labelledby=${id}>
      <h2 id=${id}>${title}</h2>
      <ul>
        ${list.map(
          (c) =>
            html`<li>
              <contact-row
                .contact=${c}
                .last=${c.state === 'accepted' ? this.previews.of(c.contactId) : undefined}
                unread=${this.chat.unread[c.contactId] ?? 0}
                ?selected=${this.selected === c.contactId}
              ></contact-row>
            </li>`,
        )}
      </ul>
    </section>`;
  }

  private renderNotifyPrompt() {
    return html`<div class="card prompt" role="group" aria-labelledby="notify-h">
      <h2 id="notify-h">Get notified of new messages?</h2>
      <p class="hint">A notification appears when a message arrives while this tab is in the background.</p>
      <div class="row">
        <button class="primary" @click=${this.enableNotifications}>Turn on notifications</button>
        <button @click=${this.dismissNotifications}>Not now</button>
      </div>
    </div>`;
  }

  private sorted(list: ContactInfo[]): ContactInfo[] {
    const when = (c: ContactInfo): number => this.previews.of(c.contactId)?.sentAt ?? 0;
    return [...list].sort((a, b) => when(b) - when(a) || Number(b.online) - Number(a.online) || a.name.localeCompare(b.name));
  }

  private act = async (id: string, fn: () => Promise<void>): Promise<void> => {
    this.busy = id;
    this.error = '';
    try {
      await fn();
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.busy = '';
      this.chat.refresh();
    }
  };

  private accept = (e: CustomEvent<string>): Promise<void> => this.act(e.detail, () => this.backend!.chat.accept(e.detail));
  private reject = (e: CustomEvent<string>): Promise<void> => this.act(e.detail, () => this.backend!.chat.reject(e.detail));

  private enableNotifications = async (): Promise<void> => {
    const b = this.backend;
    if (!b) return;
    const p = await Notification.requestPermission();
    saveLocalSettings(b.profile, { askedNotifications: true, notifications: p === 'granted' });
    this.requestUpdate();
  };

  private dismissNotifications = (): void => {
    if (this.backend) saveLocalSettings(this.backend.profile, { askedNotifications: true });
    this.requestUpdate();
  };
}
customElements.define('contacts-view', ContactsView);

declare global {
  interface HTMLElementTagNameMap {
    'contacts-view': ContactsView;
  }
}
