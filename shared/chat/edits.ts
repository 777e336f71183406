/**
 * Edits and deletions of our own messages (docs/chat-design.md, "Edits and deletions"). An edit
 * travels like a message of its own (id, outbox, retries, mailbox, receipt), after the message it
 * edits, and replaces that message's text on both sides; an empty one deletes it. A message not
 * yet encrypted has not left: it changes in place (or leaves the outbox, deleted) and nothing else
 * is sent, so the contact never gets the old text. The receiving side is receiver.ts `onEdit`.
 */
import { bytesToHex, hexToBytes } from '../crypto/bytes';
import type { MessageInfo } from './api-types';
import type { MessengerHost } from './context';
import { ChatError } from './errors';
import { encodeFrame, isMessageId, outgoingText, textFrames, type Frame } from './frames';
import { editedMessage, editIndexOp, findMessage } from './history';
import { outKey, type OutItem } from './out-item';
import { asJson, type StoreOp } from './store';

/** What an edit uses of the messenger. */
export interface EditLinks {
  serial<T>(cid: string, f: () => Promise<T>): Promise<T>;
  /** The contact's outbox, in order (live). */
  outOf(cid: string): OutItem[];
  nextSentAt(): number;
  /** Write an outbox item's ops, tell `m` at once, and let the item leave once they commit (`was`: told again on failure). */
  stage(cid: string, item: OutItem, ops: StoreOp[], m: MessageInfo, was?: MessageInfo): Promise<void>;
  /** A new outbox item with its message's ops, staged. */
  enqueue(cid: string, id: string, sentAt: number, frames: Frame[], ops: StoreOp[], m: MessageInfo, was?: MessageInfo): Promise<void>;
}

/**
 * Replace the text of our message `messageId` with `text` (null: delete it for both of us). Runs in
 * the contact's ratchet queue, so no encryption of the message runs meanwhile.
 */
export async function editOurs(h: MessengerHost, l: EditLinks, cid: string, messageId: string, text: string | null): Promise<void> {
  if (!isMessageId(messageId)) throw new ChatError('BAD_ARGUMENT', 'a message id is 32 hex digits');
  const bytes = text === null ? new Uint8Array(0) : outgoingText(text, undefined);
  const r = await l.serial(cid, async () => {
    const found = await findMessage(h.c.store, cid, messageId);
    if (found?.m.from !== 'me' || found.m.messageId !== messageId) throw new ChatError('BAD_ARGUMENT', 'no message of ours with this id');
    if (found.m.deleted) throw new ChatError('BAD_STATE', 'the message was deleted');
    const sentAt = l.nextSentAt();
    const m = editedMessage(found.m, text, sentAt);
    const list = l.outOf(cid);
    const unsent = list.find((x) => x.id === messageId && !x.wires);
    if (unsent) {
      const ops: StoreOp[] = [{ key: found.key, value: asJson(m) }];
      if (m.deleted) {
        list.splice(list.indexOf(unsent), 1);
        ops.push({ key: outKey(unsent), delete: true });
      } else {
        const reply = m.replyTo ? { replyTo: hexToBytes(m.replyTo) } : {};
        unsent.frames = textFrames(hexToBytes(unsent.id), unsent.sentAt, bytes, reply).map((f) => bytesToHex(encodeFrame(f)));
        ops.push({ key: outKey(unsent), value: asJson(unsent) });
      }
      return { stored: l.stage(cid, unsent, ops, m, found.m) };
    }
    const id = bytesToHex(h.randomBytes(16));
    const frames = textFrames(hexToBytes(id), sentAt, bytes, { edits: hexToBytes(messageId) });
    // Stored over the message, with the edit's id indexed to it: its receipt finds the message.
    const ops = [{ key: found.key, value: asJson(m) }, editIndexOp(cid, id, found.key)];
    return { stored: l.enqueue(cid, id, sentAt, frames, ops, m, found.m) };
  });
  await r.stored;
}
