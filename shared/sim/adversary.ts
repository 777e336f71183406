/**
 * Malicious node behaviour for the simulator, as a DhtExtension registered ahead of (and instead
 * of) the honest record layer. A colluding set of attackers:
 *   - forges records under victims' keys (bad signature with a higher seq, a genuine signature on a
 *     tampered value, a random signature at the maximum seq, the victim's seq with other bytes,
 *     a valid record of the attacker's own key sent under the victim's target);
 *   - replays old genuine records;
 *   - answers FIND_VALUE with the oldest genuine copy it knows, or with a forgery;
 *   - drops STOREs: answers 'stored' without storing, or never answers;
 *   - optionally (`lure`) answers with only attacker contacts, to pull lookups towards itself.
 * Every attempt is counted by kind, and every STORE answer from an honest node by code.
 */
import { bytesToHex, utf8 } from '../crypto/bytes';
import { generateKeyPair, sign, type KeyPair } from '../crypto/ed25519';
import { Counters } from '../dht/counters';
import type { LookupPeer } from '../dht/peer';
import type { DhtExtension, DhtNode } from '../dht/node';
import type { ResponseBody } from '../dht/rpc';
import { IdList } from '../protocol/id-list';
import type { Rng } from '../env/rng';
import { encodeSignable, signMutable } from '../records/bep44';
import type { DhtRecord, MutableRecord } from '../records/types';
import { RECORD_LIMITS } from '../records/types';
import type { RequestMessage } from '../protocol/wire';

export type ForgeKind = 'badSig' | 'tampered' | 'maxSeq' | 'seqReuse' | 'wrongTarget';
export const FORGE_KINDS: readonly ForgeKind[] = ['badSig', 'tampered', 'maxSeq', 'seqReuse', 'wrongTarget'];

/** What the attackers know and count together. */
export class AdversaryShared {
  /** Attacker node ids (hex). */
  readonly members = new Set<string>();
  /** Genuine records seen per target hex, ascending seq. */
  readonly known = new Map<string, MutableRecord[]>();
  readonly counters = new Counters();
  /** Forged records handed out (in stores and answers), by signature hex. */
  readonly forgedSigs = new Set<string>();

  /** Remember a genuine record (attackers read the DHT like anyone). */
  observe(target: string, rec: DhtRecord): void {
    if (rec.type !== 'mutable') return;
    const list = this.known.get(target) ?? [];
    if (list.some((r) => r.seq === rec.seq)) return;
    list.push(rec);
    list.sort((a, b) => a.seq - b.seq);
    if (list.length > 16) list.splice(1, 1); // keep the oldest and the newest ones
    this.known.set(target, list);
  }

  oldest(target: string): MutableRecord | undefined {
    return this.known.get(target)?.[0];
  }

  newest(target: string): MutableRecord | undefined {
    const l = this.known.get(target);
    return l?.[l.length - 1];
  }
}

export interface AdversaryOptions {
  /** Answer FIND_VALUE with only attacker contacts. @default false */
  lure?: boolean;
  /** How this node drops STOREs. @default 'lie' */
  dropMode?: 'lie' | 'silent';
}

export class Adversary implements DhtExtension {
  readonly kp: KeyPair;
  /** A record of our own key, valid, at a huge seq (sent under victims' targets). */
  private readonly ownRecord: MutableRecord;
  private readonly forgedAnswer = new Map<string, MutableRecord>();

  constructor(
    readonly node: DhtNode,
    private readonly rng: Rng,
    readonly shared: AdversaryShared,
    private readonly opts: AdversaryOptions = {},
  ) {
    shared.members.add(node.hex);
    this.kp = generateKeyPair(rng.bytes(32));
    this.ownRecord = signMutable({ secretKey: this.kp.secretKey, salt: utf8.encode('x'), seq: 2 ** 40, value: utf8.encode('attacker') });
  }

  handle(from: LookupPeer, msg: RequestMessage, reply: (res: ResponseBody) => void): boolean {
    const c = this.shared.counters;
    if (msg.type === 'find_value') {
      const target = bytesToHex(msg.target);
      const nodes = this.contacts(msg.target, from.hex);
      const stale = this.shared.oldest(target);
      if (stale && this.rng.next() < 0.5) {
        c.inc('answer.stale');
        reply({ type: 'value', record: stale, nodes });
      } else if (this.rng.next() < 0.8) {
        c.inc('answer.forged');
        c.inc('forge.attempts');
        reply({ type: 'value', record: this.answerForgery(target), nodes });
      } else {
        c.inc('answer.forged');
        c.inc('forge.attempts');
        reply({ type: 'value', record: this.ownRecord, nodes });
      }
      return true;
    }
    if (msg.type === 'store') {
      this.shared.observe(bytesToHex(msg.target), msg.record);
      if ((this.opts.dropMode ?? 'lie') === 'lie') {
        c.inc('store.lied');
        reply({ type: 'stored', seq: msg.record.type === 'mutable' ? msg.record.seq : 0 });
      } else {
        c.inc('store.silent');
      }
      return true;
    }
    return false;
  }

  private contacts(target: Uint8Array, exclude: string): IdList {
    if (!this.opts.lure) return this.node.closestIds(target, exclude);
    const ours = this.node.table.closest(target, this.node.k * 4, exclude).filter((c) => this.shared.members.has(c.hex));
    return IdList.of(ours.slice(0, this.node.k).map((c) => c.id));
  }

  /** One forged answer per target (signed with our key under the victim's k: a bad signature). */
  private answerForgery(target: string): MutableRecord {
    let f = this.forgedAnswer.get(target);
    const newest = this.shared.newest(target);
    if (!f || (newest && f.seq <= newest.seq)) {
      f = newest ? this.forge('badSig', newest) : this.ownRecord;
      this.forgedAnswer.set(target, f);
    }
    return f;
  }

  /** Build a forgery of `victim` (its newest genuine record) of the given kind. */
  forge(kind: ForgeKind, victim: MutableRecord): MutableRecord {
    const bump = 1 + this.rng.int(1000);
    const v = utf8.encode(`forged-${kind}-${this.rng.int(1e9)}`);
    let rec: MutableRecord;
    switch (kind) {
      case 'badSig': {
        const seq = victim.seq + bump;
        rec = {
          type: 'mutable',
          k: victim.k,
          salt: victim.salt,
          seq,
          v,
          sig: sign(encodeSignable(victim.salt, seq, v), this.kp.secretKey),
        };
        break;
      }
      case 'tampered':
        rec = { type: 'mutable', k: victim.k, salt: victim.salt, seq: victim.seq + bump, v, sig: victim.sig };
        break;
      case 'maxSeq':
        rec = { type: 'mutable', k: victim.k, salt: victim.salt, seq: RECORD_LIMITS.maxSeq, v, sig: this.rng.bytes(64) };
        break;
      case 'seqReuse':
        rec = { type: 'mutable', k: victim.k, salt: victim.salt, seq: victim.seq, v, sig: this.rng.bytes(64) };
        break;
      case 'wrongTarget':
        rec = this.ownRecord;
        break;
    }
    this.shared.forgedSigs.add(bytesToHex(rec.sig));
    return rec;
  }

  /**
   * One attack on `target`: a STORE of a forgery (or a replay of an old genuine record) to an
   * honest node among the closest we know. Answers are counted by code.
   */
  attack(target: Uint8Array, replay: boolean): void {
    const hex = bytesToHex(target);
    const newest = this.shared.newest(hex);
    if (!newest) return;
    const honest = this.node.table.closest(target, this.node.k, undefined).filter((c) => !this.shared.members.has(c.hex));
    if (honest.length === 0) return;
    const peer = honest[this.rng.int(Math.min(honest.length, 8))]!;
    const c = this.shared.counters;
    let record: MutableRecord;
    if (replay) {
      const list = this.shared.known.get(hex)!;
      if (list.length < 2) return;
      record = list[this.rng.int(list.length - 1)]!;
      c.inc('replay.attempts');
    } else {
      const kind = FORGE_KINDS[this.rng.int(FORGE_KINDS.length)]!;
      record = this.forge(kind, newest);
      c.inc('forge.attempts');
      c.inc(`forge.${kind}`);
    }
    const prefix = replay ? 'replay' : 'forge';
    const cas = !replay && this.rng.next() < 0.1 ? newest.seq : undefined;
    const body = cas === undefined ? { type: 'store' as const, target, record } : { type: 'store' as const, target, record, cas };
    this.node.rpc.request(peer, body, (res) => {
      if (!res) c.inc(`${prefix}.noAnswer`);
      else if (res.type === 'stored') c.inc(`${prefix}.stored`);
      else if (res.type === 'error') c.inc(`${prefix}.refused.${res.code}`);
    });
  }
}
