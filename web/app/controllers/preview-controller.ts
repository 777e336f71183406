/**
 * The last message of each accepted contact, for the contact list's preview and time. The API has
 * no summary call, so this asks `messages(id, { limit: 1 })` per contact, once, and again when an
 * event concerns that contact. When messaging is not available it stops asking.
 */
import type { MessageInfo } from '../../../shared/chat/api-types';
import type { AppBackend } from '../backend';
import { errorCode } from '../format';
import { BackendBinding } from './backend-binding';

export class PreviewController extends BackendBinding {
  private readonly last = new Map<string, MessageInfo | null>();
  private readonly asked = new Set<string>();
  private unavailable = false;

  protected override subscribe(b: AppBackend): Array<() => void> {
    const again = (e: { contactId: string }): void => {
      this.asked.delete(e.contactId);
      this.host.requestUpdate();
    };
    return [b.chat.on('message', again), b.chat.on('state', again)];
  }

  protected override reset(): void {
    this.last.clear();
    this.asked.clear();
    this.unavailable = false;
  }

  /** The last message with `contactId`, fetching it when not known yet (re-renders when it arrives). */
  of(contactId: string): MessageInfo | undefined {
    const b = this.backend;
    if (b && !this.unavailable && !this.asked.has(contactId) && b.role !== 'starting') {
      this.asked.add(contactId);
      b.chat.messages(contactId, { limit: 1 }).then(
        (page) => {
          this.last.set(contactId, page[page.length - 1] ?? null);
          this.host.requestUpdate();
        },
        (e: unknown) => {
          if (errorCode(e) === 'BAD_STATE') this.unavailable = true;
        },
      );
    }
    return this.last.get(contactId) ?? undefined;
  }
}
