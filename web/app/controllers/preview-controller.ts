/**
 * The last message of each accepted contact, for the contact list's preview and time. The API has
 * no summary call, so this asks `messages(id, { limit: 1 })` per contact once; after that, a
 * 'message' event is the new last message and a 'state' event updates it, with no call. A contact
 * that becomes accepted is asked again, and so is one whose last message failed to be stored.
 */
import type { ContactEvent, MessageEvent, MessageInfo, StateEvent } from '../../../shared/chat/api-types';
import type { AppBackend } from '../backend';
import { BackendBinding } from './backend-binding';

export class PreviewController extends BackendBinding {
  private readonly last = new Map<string, MessageInfo | null>();
  private readonly asked = new Set<string>();

  protected override subscribe(b: AppBackend): Array<() => void> {
    return [
      b.chat.on('message', (e: MessageEvent) => {
        const had = this.last.get(e.contactId);
        if (had && had.sentAt > e.message.sentAt) return;
        this.last.set(e.contactId, e.message);
        this.host.requestUpdate();
      }),
      b.chat.on('state', (e: StateEvent) => {
        const had = this.last.get(e.contactId);
        if (had?.messageId !== e.messageId) return;
        // Our message was not stored after all (its send rejected): ask history again.
        if (e.state === 'failed') {
          this.asked.delete(e.contactId);
          this.last.delete(e.contactId);
        } else this.last.set(e.contactId, { ...had, state: e.state });
        this.host.requestUpdate();
      }),
      b.chat.on('contact', (e: ContactEvent) => {
        this.asked.delete(e.contactId);
        this.last.delete(e.contactId);
      }),
    ];
  }

  protected override reset(): void {
    this.last.clear();
    this.asked.clear();
  }

  /** The last message with `contactId`, fetching it when not known yet (re-renders when it arrives). */
  of(contactId: string): MessageInfo | undefined {
    const b = this.backend;
    if (b && !this.asked.has(contactId) && b.role !== 'starting') {
      this.asked.add(contactId);
      b.chat.messages(contactId, { limit: 1 }).then(
        (page) => {
          const got = page[page.length - 1] ?? null;
          const had = this.last.get(contactId);
          if (had && (!got || had.sentAt > got.sentAt)) return;
          this.last.set(contactId, got);
          this.host.requestUpdate();
        },
        () => {
          // a contact removed meanwhile, or no tab answers during a takeover: asked again on the next event
          this.asked.delete(contactId);
        },
      );
    }
    return this.last.get(contactId) ?? undefined;
  }
}
