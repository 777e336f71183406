/** Binary layout of DHT records inside wire messages. Bounds come from RECORD_LIMITS. */
import type { DhtRecord } from '../records/types';
import { RECORD_LIMITS } from '../records/types';
import type { Reader, Writer } from './byte-io';
import { WireError } from './wire-error';

const MUTABLE = 1;
const IMMUTABLE = 2;

export function writeRecord(w: Writer, r: DhtRecord): void {
  if (r.type === 'mutable') {
    w.u8(MUTABLE).bytes(r.k).u8(r.salt.length).bytes(r.salt).u53(r.seq).u16(r.v.length).bytes(r.v).bytes(r.sig);
  } else {
    w.u8(IMMUTABLE).u16(r.v.length).bytes(r.v);
  }
}

export function readRecord(r: Reader): DhtRecord {
  const kind = r.u8();
  if (kind === MUTABLE) {
    const k = r.bytes(32);
    const salt = r.bytes(r.length(1, RECORD_LIMITS.maxSaltBytes, 'salt'));
    const seq = r.u53();
    const v = r.bytes(r.length(2, RECORD_LIMITS.maxValueBytes, 'value'));
    const sig = r.bytes(64);
    return { type: 'mutable', k, salt, seq, v, sig };
  }
  if (kind === IMMUTABLE) {
    const v = r.bytes(r.length(2, RECORD_LIMITS.maxValueBytes, 'value'));
    return { type: 'immutable', v };
  }
  throw new WireError('BAD_VALUE', `record kind ${kind}`);
}
