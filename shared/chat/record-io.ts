/**
 * Sealed records over the DHT: publish our own (invite, presence) and request-slot records, and
 * read anyone's given the secret. A read returns the plaintext of the newest record that verifies
 * under the expected key, or null: a missing record, a forgery and a stale answer all look the
 * same to the caller, and are counted.
 */
import { bytesToHex } from '../crypto/bytes';
import { Counters } from '../dht/counters';
import type { MutableRecord } from '../records/types';
import type { DhtValues } from '../records/values';
import { buildSealedRecord, readSealedRecord, sealedRecordTarget, type BuildSealedRecordArgs, type SealedRecordRef } from './sealed-record';

export interface ReadResult {
  plaintext: Uint8Array;
  record: MutableRecord;
  seq: number;
  /** Time the get took, ms. */
  ms: number;
}

export class RecordIO {
  readonly counters = new Counters();

  constructor(
    private readonly values: DhtValues,
    private readonly randomBytes: (n: number) => Uint8Array,
  ) {}

  /** Build, sign and store a record (own: kept and republished by the values layer). Returns its target hex. */
  async publish(args: BuildSealedRecordArgs, own = true): Promise<{ target: string; replicas: number; record: MutableRecord }> {
    const record = buildSealedRecord({ ...args, randomBytes: this.randomBytes });
    const r = await this.values.put(record, { own });
    this.counters.inc(`publish.${args.kind}`);
    return { target: bytesToHex(r.target), replicas: r.replicas, record };
  }

  async read(ref: SealedRecordRef): Promise<ReadResult | null> {
    const clock = this.values.node.clock;
    const start = clock.now();
    const r = await this.values.get(sealedRecordTarget(ref));
    const ms = clock.now() - start;
    const rec = r.record;
    if (rec?.type !== 'mutable') {
      this.counters.inc(`read.${ref.kind}.missing`);
      return null;
    }
    try {
      const plaintext = readSealedRecord(rec, ref);
      this.counters.inc(`read.${ref.kind}.ok`);
      return { plaintext, record: rec, seq: rec.seq, ms };
    } catch {
      this.counters.inc(`read.${ref.kind}.invalid`);
      return null;
    }
  }

  /** Drop our own copy of a record we no longer publish (others' copies expire with the TTL). */
  forget(targetHex: string): void {
    this.values.table.delete(targetHex);
  }
}
