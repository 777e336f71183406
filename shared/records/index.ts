/** Public API of the record layer (BEP 44 items, storage rules, persistence, seq floor). */
export type { DhtRecord, ImmutableRecord, MutableRecord, StoreRefusal } from './types';
export { RECORD_LIMITS, STORE_REFUSALS } from './types';
export type { SignMutableArgs, VerifyMutableArgs } from './bep44';
export {
  PUBLIC_KEY_BYTES,
  SECRET_KEY_BYTES,
  SIGNATURE_BYTES,
  TARGET_BYTES,
  encodeSignable,
  immutableTarget,
  isValidSeq,
  makeImmutable,
  mutableTarget,
  recordTarget,
  signMutable,
  verifyMutable,
} from './bep44';
export type { CandidateVerdict, Comparison, Selection, Verdict, WriteDecision } from './policy';
export {
  checkShape,
  checkSignature,
  compareMutable,
  copyRecord,
  decideWrite,
  sameRecord,
  selectNewest,
  selectRecord,
  validateRecord,
} from './policy';
export type {
  Origin,
  PersistedEntry,
  PutOptions,
  PutResult,
  RecordTableComponents,
  RecordTableCounters,
  RecordTableInit,
  TableEntry,
} from './record-table';
export { RecordTable } from './record-table';
export { MemoryRecordStore } from './memory-store';
export type { SeqCounterComponents } from './seq-floor';
export { SeqCounter, decodeSeq, encodeSeq, nextSeq } from './seq-floor';
