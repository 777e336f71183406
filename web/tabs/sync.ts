/**
 * Changes that the chat makes without an event (markRead, rename, markVerified, setName, setKeeper,
 * setSettings, rotateAddress; and the unread count a deletion lowers) must still reach every tab's app: the unread badge and the title
 * of a tab must not go stale because the person read the chat in another tab. `syncingChat`
 * wraps the node's chat API so that each such call, from this tab's app or a view's (through the
 * dispatcher), is followed by `after()`: the leader posts its mirror to the views and tells its
 * own app.
 */
import type { ChatConsoleApi } from '../app/chat-api';

/** The chat calls that change what the synchronous getters answer, with no event of their own. */
export const SILENT_CHANGES = [
  'setName',
  'rotateAddress',
  'markVerified',
  'rename',
  'markRead',
  'delete',
  'setSettings',
  'setKeeper',
] as const;

export function syncingChat(chat: ChatConsoleApi, after: () => void): ChatConsoleApi {
  const silent = new Set<PropertyKey>(SILENT_CHANGES);
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(chat, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      let w = wrapped.get(prop);
      if (!w) {
        const fn = v as (...args: unknown[]) => unknown;
        w = silent.has(prop)
          ? async (...args: unknown[]) => {
              const value = await fn.apply(target, args);
              after();
              return value;
            }
          : fn.bind(target);
        wrapped.set(prop, w);
      }
      return w;
    },
  });
}
