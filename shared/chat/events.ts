/** The chat node's events and their listeners: a listener's bug never reaches the chat. */
import type { ContactEvent, MessageEvent, PresenceEvent, StateEvent, TypingEvent } from './api-types';

type Handler<T> = (e: T) => void;

export interface ChatEventMap {
  contact: ContactEvent;
  presence: PresenceEvent;
  message: MessageEvent;
  state: StateEvent;
  typing: TypingEvent;
}

export class ChatEvents {
  private readonly sets: { [K in keyof ChatEventMap]: Set<Handler<ChatEventMap[K]>> } = {
    contact: new Set(),
    presence: new Set(),
    message: new Set(),
    state: new Set(),
    typing: new Set(),
  };

  on<K extends keyof ChatEventMap>(event: K, h: Handler<ChatEventMap[K]>): () => void {
    const set = this.sets[event] as Set<Handler<ChatEventMap[K]>>;
    set.add(h);
    return () => set.delete(h);
  }

  emit<K extends keyof ChatEventMap>(event: K, e: ChatEventMap[K]): void {
    for (const h of [...(this.sets[event] as Set<Handler<ChatEventMap[K]>>)]) {
      try {
        h(e);
      } catch {
        // a listener's bug must not break the chat
      }
    }
  }
}
