/**
 * Telling the person something arrived: the unread count in the page title, a line for the
 * live region (screen readers announce it), and a system notification while the tab is hidden,
 * when they turned notifications on (permission is asked by a button, never on load).
 */
import type { ContactEvent, MessageEvent } from '../../../shared/chat/api-types';
import type { AppBackend } from '../backend';
import { loadLocalSettings } from '../local-settings';
import { navigate } from '../router';
import { BackendBinding } from './backend-binding';

export const APP_TITLE = 'p2p chat';

export class AttentionController extends BackendBinding {
  /** The newest announcement for the live region. */
  live = '';

  protected override subscribe(b: AppBackend): Array<() => void> {
    const name = (id: string): string => {
      try {
        return b.chat.contacts().find((c) => c.contactId === id)?.name || 'A contact';
      } catch {
        return 'A contact';
      }
    };
    return [
      b.chat.on('message', (e: MessageEvent) => {
        if (e.message.from !== 'them') return;
        const who = name(e.contactId);
        this.announce(`New message from ${who}: ${e.message.text}`);
        this.notify(b, who, e.message.text, e.contactId);
      }),
      b.chat.on('contact', (e: ContactEvent) => {
        if (e.state === 'pending') this.announce(`New contact request from ${name(e.contactId)}`);
        if (e.state === 'accepted') this.announce(`${name(e.contactId)} is now a contact`);
      }),
    ];
  }

  hostUpdated(): void {
    const b = this.backend;
    if (!b || b.role === 'starting') return;
    let n = 0;
    try {
      for (const v of Object.values(b.chat.unread())) n += v;
    } catch {
      return;
    }
    const title = n > 0 ? `(${n}) ${APP_TITLE}` : APP_TITLE;
    if (document.title !== title) document.title = title;
  }

  private announce(text: string): void {
    this.live = text;
    this.host.requestUpdate();
  }

  private notify(b: AppBackend, who: string, text: string, contactId: string): void {
    if (document.visibilityState !== 'hidden' || !loadLocalSettings(b.profile).notifications) return;
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    try {
      // One tag per contact: a newer notification replaces the older one (and the copy another tab shows).
      const n = new Notification(who, { body: text.length > 200 ? `${text.slice(0, 199)}…` : text, tag: `p2p-chat:${contactId}` });
      n.onclick = () => {
        window.focus();
        navigate({ view: 'chat', id: contactId });
        n.close();
      };
    } catch {
      // some platforms allow notifications only from a service worker; the title still counts
    }
  }
}
