/**
 * What an address link says before it is used: the name in it, or why it cannot be used (a typo,
 * our own address, someone already in the list), with the API's error codes. Decoding a link is
 * pure (shared/chat/address.ts): nothing is sent anywhere.
 */
import { decodeAddress } from '../../shared/chat/address';
import { bytesToHex } from '../../shared/crypto/bytes';
import type { ChatConsoleApi } from './chat-api';
import { errorText } from './format';

export type LinkPreview = { ok: true; contactId: string; name: string } | { ok: false; error: string };

export function previewLink(link: string, chat: ChatConsoleApi): LinkPreview {
  try {
    const a = decodeAddress(link);
    const contactId = bytesToHex(a.identityKey);
    if (contactId === chat.me().identityKey) return { ok: false, error: errorText({ code: 'SELF_ADD' }) };
    if (chat.contacts().some((c) => c.contactId === contactId)) return { ok: false, error: errorText({ code: 'DUPLICATE_CONTACT' }) };
    return { ok: true, contactId, name: a.name ?? '' };
  } catch (e) {
    return { ok: false, error: errorText(e) };
  }
}
