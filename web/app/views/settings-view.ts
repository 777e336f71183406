/**
 * Settings: display name; read receipts and typing indicators (the chat's settings); notifications;
 * the signaling server and STUN/TURN servers (this device's, used from the next load); the mail
 * keeper; backup export and import; delete everything on this device.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { ChatSettings } from '../../../shared/chat/api-types';
import type { AppBackend } from '../backend';
import { ChatController } from '../controllers/chat-controller';
import { errorText } from '../format';
import { icons } from '../icons';
import { checkSignalUrl, formatIceServers, loadLocalSettings, parseIceServers, saveLocalSettings } from '../local-settings';
import { controls } from '../styles';
import { paneStyles } from './pane-styles';
import '../components/backup-panel';
import '../components/keeper-panel';
import '../components/wipe-panel';

type Section = 'name' | 'privacy' | 'notify' | 'network';

export class SettingsView extends LitElement {
  static override properties = { backend: { attribute: false }, said: { state: true }, errors: { state: true } };
  declare backend: AppBackend | undefined;
  declare said: Partial<Record<Section, string>>;
  declare errors: Partial<Record<Section, string>>;
  private readonly chat = new ChatController(this, () => this.backend);

  static override styles = [
    controls,
    paneStyles,
    css`
      section {
        padding-bottom: 1.25rem;
        border-bottom: 1px solid var(--border);
      }
      .check {
        display: flex;
        gap: 0.6rem;
        align-items: flex-start;
      }
      .check input {
        flex: none;
        margin-top: 0.2rem;
      }
      .check label {
        font-weight: 400;
      }
      textarea {
        font-family: ui-monospace, Menlo, Consolas, monospace;
        font-size: 0.85rem;
      }
    `,
  ];

  constructor() {
    super();
    this.backend = undefined;
    this.said = {};
    this.errors = {};
  }

  override render() {
    const b = this.backend;
    if (!b) return nothing;
    const me = this.chat.me;
    const s = this.chat.settings;
    const local = loadLocalSettings(b.profile);
    const perm = typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
    return html`<header>
        <a class="back" href="#/" aria-label="Back to chats">${icons.back}</a>
        <h2>Settings</h2>
      </header>
      <div class="body">
        <section aria-labelledby="name-h">
          <h3 id="name-h">Your name</h3>
          <form @submit=${this.saveName} novalidate class="field">
            <label for="display-name">Display name</label>
            <input id="display-name" maxlength="64" autocomplete="nickname" .value=${me?.name ?? ''} />
            <p class="hint">Shown to people you add, in your address link and your requests.</p>
            ${this.status('name')}
            <div><button type="submit">Save name</button></div>
          </form>
        </section>
        <section aria-labelledby="privacy-h">
          <h3 id="privacy-h">Privacy</h3>
          ${this.toggle('read-receipts', 'Send read receipts', 'Contacts see when you have read their messages, and you see theirs.', s?.readReceipts ?? true, 'readReceipts')}
          ${this.toggle('typing', 'Show when I am typing', 'Contacts see “typing…” while you write, and you see theirs.', s?.typing ?? true, 'typing')}
          ${this.status('privacy')}
        </section>
        <section aria-labelledby="notify-h">
          <h3 id="notify-h">Notifications</h3>
          <div class="check">
            <input type="checkbox" id="notify" .checked=${local.notifications && perm === 'granted'} ?disabled=${perm === 'unsupported'} @change=${this.setNotify} />
            <label for="notify">Notify me of new messages while this tab is in the background</label>
          </div>
          ${perm === 'denied' ? html`<p class="hint">Notifications are blocked for this site. Allow them in the browser’s site settings (the icon left of the address), then turn this on.</p>` : nothing}
          ${this.status('notify')}
        </section>
        <section aria-labelledby="net-h">
          <h3 id="net-h">Network</h3>
          <form @submit=${this.saveNetwork} novalidate>
            <div class="field">
              <label for="signal-url">Signaling server</label>
              <input id="signal-url" inputmode="url" autocomplete="off" spellcheck="false" placeholder="this site’s own server" .value=${local.signalUrl} aria-describedby="signal-hint" />
              <p id="signal-hint" class="hint">Only used to meet other devices for the first time. Leave empty to use this site’s server, or give one you run: wss://chat.example.org/signal.</p>
            </div>
            <div class="field">
              <label for="ice">STUN and TURN servers</label>
              <textarea id="ice" rows="3" spellcheck="false" .value=${formatIceServers(local.iceServers)} aria-describedby="ice-hint"></textarea>
              <p id="ice-hint" class="hint">One a line: stun:&lt;host&gt;:&lt;port&gt;, or turn:&lt;host&gt;:&lt;port&gt; followed by a username and password. Needed behind strict firewalls; tried before the signaling server’s.</p>
            </div>
            ${this.status('network')}
            <div class="row">
              <button type="submit">Save</button>
              ${this.said.network ? html`<button type="button" @click=${() => location.reload()}>Reload now</button>` : nothing}
            </div>
          </form>
        </section>
        <keeper-panel .backend=${b}></keeper-panel>
        <backup-panel .backend=${b}></backup-panel>
        <wipe-panel .backend=${b}></wipe-panel>
      </div>`;
  }

  private status(k: Section) {
    const err = this.errors[k];
    if (err) return html`<p class="error" role="alert">${err}</p>`;
    return html`<p class="hint" role="status">${this.said[k] ?? ''}</p>`;
  }

  private toggle(id: string, label: string, hint: string, on: boolean, key: keyof ChatSettings) {
    return html`<div class="check">
      <input type="checkbox" id=${id} .checked=${on} @change=${(e: Event) => this.setChat(key, e.target as HTMLInputElement)} aria-describedby=${`${id}-hint`} />
      <div><label for=${id}>${label}</label><p id=${`${id}-hint`} class="hint">${hint}</p></div>
    </div>`;
  }

  private report(k: Section, said: string, error = ''): void {
    this.said = { ...this.said, [k]: error ? '' : said };
    this.errors = { ...this.errors, [k]: error };
  }

  private saveName = async (ev: Event): Promise<void> => {
    ev.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>('#display-name')!;
    const name = input.value.trim();
    if (!name) return this.report('name', '', 'Type a name first.');
    try {
      await this.backend!.chat.setName(name);
      this.chat.refresh();
      this.report('name', 'Saved. Your address link now carries this name.');
    } catch (e) {
      this.report('name', '', errorText(e));
    }
  };

  private setChat = async (key: keyof ChatSettings, box: HTMLInputElement): Promise<void> => {
    const want = box.checked;
    try {
      await this.backend!.chat.setSettings({ [key]: want });
      this.chat.refresh();
      this.report('privacy', 'Saved.');
    } catch (e) {
      box.checked = !want;
      this.report('privacy', '', errorText(e));
    }
  };

  private setNotify = async (ev: Event): Promise<void> => {
    const box = ev.target as HTMLInputElement;
    const profile = this.backend!.profile;
    if (!box.checked) {
      saveLocalSettings(profile, { notifications: false, askedNotifications: true });
      return this.report('notify', 'Notifications are off.');
    }
    const p = await Notification.requestPermission();
    saveLocalSettings(profile, { notifications: p === 'granted', askedNotifications: true });
    box.checked = p === 'granted';
    if (p === 'granted') this.report('notify', 'Notifications are on.');
    else this.report('notify', '', 'The browser did not allow notifications. Allow them in the site settings, then try again.');
  };

  private saveNetwork = (ev: Event): void => {
    ev.preventDefault();
    const url = this.renderRoot.querySelector<HTMLInputElement>('#signal-url')!.value;
    const ice = this.renderRoot.querySelector<HTMLTextAreaElement>('#ice')!.value;
    try {
      saveLocalSettings(this.backend!.profile, { signalUrl: checkSignalUrl(url), iceServers: parseIceServers(ice) });
      this.report('network', 'Saved. The app uses these the next time this page opens.');
    } catch (e) {
      this.report('network', '', e instanceof Error ? e.message : String(e));
    }
  };
}
customElements.define('settings-view', SettingsView);

declare global {
  interface HTMLElementTagNameMap {
    'settings-view': SettingsView;
  }
}
