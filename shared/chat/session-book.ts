/**
 * The sessions kept per contact (up to MAX_SESSIONS: two devices that start one at once both get
 * through), persisted as `session/<contact>/<sid>` with the serialized ratchet state.
 */
import { bytesToHex, hexToBytes } from '../crypto/bytes';
import { deserialize, serialize, type RatchetState } from '../crypto/double-ratchet';
import type { ChatContext } from './context';
import type { Session } from './session';
import { listOf } from './out-item';
import type { StoreOp } from './store';

/** Sessions kept per contact (the newest that can send is used). */
export const MAX_SESSIONS = 4;

export interface StoredSession {
  sid: string;
  ratchet: RatchetState;
  at: number;
}

export function sessionOp(cid: string, s: StoredSession): StoreOp {
  return { key: `session/${cid}/${s.sid}`, value: { sid: s.sid, ratchet: bytesToHex(serialize(s.ratchet)), at: s.at } };
}

export class SessionBook {
  private readonly sessions = new Map<string, StoredSession[]>();

  constructor(private readonly h: ChatContext) {}

  /** Every stored session (replacing what memory held). */
  async load(): Promise<void> {
    const rows = await this.h.c.store.list('session/');
    this.sessions.clear();
    for (const [key, v] of rows) {
      const cid = key.split('/')[1]!;
      const s = v as { sid: string; ratchet: string; at: number };
      try {
        this.of(cid).push({ sid: s.sid, ratchet: deserialize(hexToBytes(s.ratchet)), at: s.at });
      } catch {
        this.h.counters.inc('load.bad_session');
      }
    }
  }

  /**
   * Keep a new session: applied at once (messages under it can be handled now), `stored` settles
   * when committed. Nothing needs to wait for it: a session lost in a crash is answered 'reset'
   * and started anew, and every ratchet step under it is committed after it.
   */
  add(cid: string, session: Session): { s: StoredSession; stored: Promise<void> } {
    const list = this.of(cid);
    const s: StoredSession = { sid: session.sid, ratchet: session.ratchet, at: this.h.now };
    list.push(s);
    const ops: StoreOp[] = [sessionOp(cid, s)];
    while (list.length > MAX_SESSIONS) ops.push({ key: `session/${cid}/${list.shift()!.sid}`, delete: true });
    return { s, stored: this.h.c.store.batch(ops) };
  }

  async drop(cid: string, sid: string): Promise<void> {
    this.sessions.set(
      cid,
      this.of(cid).filter((s) => s.sid !== sid),
    );
    await this.h.c.store.batch([{ key: `session/${cid}/${sid}`, delete: true }]);
    this.h.counters.inc('session.reset');
  }

  /** The newest session we can send on (Bob's side waits for the initiator's first message). */
  sendable(cid: string): StoredSession | undefined {
    const list = this.of(cid);
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.ratchet.cks) return list[i];
    return undefined;
  }

  get(cid: string, sid: Uint8Array | string): StoredSession | undefined {
    const hex = typeof sid === 'string' ? sid : bytesToHex(sid);
    return this.of(cid).find((x) => x.sid === hex);
  }

  /** The contact a session id belongs to. */
  contactOf(sid: Uint8Array): string | undefined {
    const hex = bytesToHex(sid);
    for (const [cid, list] of this.sessions) if (list.some((s) => s.sid === hex)) return cid;
    return undefined;
  }

  has(cid: string): boolean {
    return this.of(cid).length > 0;
  }

  /** Keep a session's newer ratchet state (after it was stored). */
  replace(cid: string, s: StoredSession): void {
    const list = this.of(cid);
    const i = list.findIndex((x) => x.sid === s.sid);
    if (i >= 0) list[i] = s;
  }

  private of(cid: string): StoredSession[] {
    return listOf(this.sessions, cid);
  }
}
