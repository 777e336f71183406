/**
 * The sessions kept per contact (up to MAX_SESSIONS: two devices that start one at once both get
 * through), persisted as `session/<contact>/<sid>` with the serialized ratchet state.
 *
 * A reservation of sending keys is stored with the state: `reserve.upTo`, on the sending chain
 * `reserve.dhs`. A state loaded from the store first skips its sending chain to `upTo`
 * (skipSendingKeys), so a message key below it is never used again, even if the message that
 * used it left before its own step was stored. A message under a committed reservation may leave
 * at once (no wait for the store); each send stores the reservation RESERVE keys past it.
 */
import { bytesToHex, hexToBytes } from '../crypto/bytes';
import { deserialize, serialize, skipSendingKeys, type RatchetState } from '../crypto/double-ratchet';
import type { ChatContext } from './context';
import type { Session } from './session';
import { listOf } from './out-item';
import type { StoreOp } from './store';

/** Sessions kept per contact (the newest that can send is used). */
export const MAX_SESSIONS = 4;
/**
 * Sending keys reserved past the last one used: the next message (a reply, a typing indicator)
 * leaves without waiting for the store. A crash wastes at most this many keys (the receiver keeps
 * them as skipped keys), so it stays small.
 */
export const RESERVE = 4;

/** Sending keys below `upTo` on the chain of our ratchet key `dhs` (hex) may have been used. */
export interface Reserve {
  dhs: string;
  upTo: number;
}

export interface StoredSession {
  sid: string;
  ratchet: RatchetState;
  at: number;
  /** The reservation stored with the latest write of this session. */
  reserve?: Reserve;
}

export function sessionOp(cid: string, s: StoredSession): StoreOp {
  const value = { sid: s.sid, ratchet: bytesToHex(serialize(s.ratchet)), at: s.at, ...(s.reserve ? { reserve: { ...s.reserve } } : {}) };
  return { key: `session/${cid}/${s.sid}`, value };
}

export interface SessionWrite {
  op: StoreOp;
  covered: boolean;
  track: (stored: Promise<void>) => void;
}

/** A stored session's ratchet state, its sending chain moved past what its reservation covers. */
function restore(v: { ratchet: string; reserve?: unknown }): { ratchet: RatchetState; reserve?: Reserve } {
  const ratchet = deserialize(hexToBytes(v.ratchet));
  const r = v.reserve as Partial<Reserve> | undefined;
  if (r === undefined) return { ratchet };
  if (typeof r.dhs !== 'string' || typeof r.upTo !== 'number' || !Number.isSafeInteger(r.upTo)) throw new TypeError('bad reservation');
  // A reservation on an earlier sending chain: that chain is closed (pn counts what it sent).
  if (r.dhs !== bytesToHex(ratchet.dhs.publicKey)) return { ratchet };
  const reserve = { dhs: r.dhs, upTo: r.upTo };
  return { ratchet: skipSendingKeys(ratchet, r.upTo), reserve };
}

export class SessionBook {
  private readonly sessions = new Map<string, StoredSession[]>();
  /** Per session id, the reservation of its latest committed write. */
  private readonly durable = new Map<string, Reserve>();

  constructor(private readonly h: ChatContext) {}

  /** Every stored session (replacing what memory held). */
  async load(): Promise<void> {
    const rows = await this.h.c.store.list('session/');
    this.sessions.clear();
    this.durable.clear();
    for (const [key, v] of rows) {
      const cid = key.split('/')[1]!;
      const s = v as { sid: string; ratchet: string; at: number; reserve?: unknown };
      try {
        const { ratchet, reserve } = restore(s);
        this.of(cid).push({ sid: s.sid, ratchet, at: s.at, ...(reserve ? { reserve } : {}) });
        if (reserve) this.durable.set(s.sid, reserve);
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

  /**
   * The write of session `s` as it takes `ratchet` (having used every sending key below
   * `ratchet.ns`), with a reservation of RESERVE keys past them: always when `extend` (we send),
   * else only on a new sending chain (a DH step), so that restarts that send nothing waste no
   * more keys. Call `track` with the commit of the batch it goes in. `covered` when a committed
   * reservation already covers every key used: messages under them may leave before this write.
   */
  write(cid: string, s: StoredSession, ratchet: RatchetState, extend: boolean): SessionWrite {
    const dhs = bytesToHex(ratchet.dhs.publicKey);
    const d = this.durable.get(s.sid);
    const covered = d !== undefined && d.dhs === dhs && ratchet.ns <= d.upTo;
    const same = s.reserve?.dhs === dhs ? s.reserve : undefined;
    const reserve = same && !extend ? same : { dhs, upTo: Math.max(same?.upTo ?? 0, ratchet.ns + RESERVE) };
    s.reserve = reserve;
    const op = sessionOp(cid, { ...s, ratchet });
    const track = (stored: Promise<void>): void =>
      void stored.then(
        () => {
          const now = this.durable.get(s.sid);
          if (now === undefined || now.dhs !== dhs || now.upTo < reserve.upTo) this.durable.set(s.sid, reserve);
        },
        () => undefined,
      );
    return { op, covered, track };
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
