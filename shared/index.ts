/** The platform-neutral core's public surface: DHT, overlay, records, wire, crypto. The simulator is shared/sim. */
export type { Transport, PeerId } from './env/transport';
export type { Clock, TimerHandle } from './env/clock';
export { systemClock } from './env/clock';
export type { Rng } from './env/rng';
export { cryptoRng, SeededRng } from './env/rng';
export type { RecordStore, PersistedRecord } from './env/store';

export { DEFAULTS, ID_BITS, ID_BYTES } from './dht/constants';
export { DhtError, type DhtErrorCode } from './dht/errors';
export * from './dht/node-id';
export { RoutingTable, type Bucket } from './dht/routing-table';
export { Contact } from './dht/contact';
export { Lookup, type LookupEvent, type LookupResult, type QueryFn, type QueryOutcome } from './dht/lookup/lookup';
export type { LookupPeer } from './dht/peer';
export { Rpc } from './dht/rpc';
export { DhtNode, toPeer, type DhtComponents, type DhtInit, type DhtExtension } from './dht/node';
export { DhtValues, type ValuesInit, type PutResult, type GetResult } from './records/values';

export * from './records/index';

export { encode, decode, WIRE_VERSION, MAX_FRAME_BYTES, type Message } from './protocol/wire';
export { IdList } from './protocol/id-list';
export { WireError, type WireErrorCode } from './protocol/wire-error';

export { generateKeyPair, sign, verify, nodeIdFromPublicKey, nodeIdHexFromPublicKey, type KeyPair } from './crypto/ed25519';
export { bytesToHex, hexToBytes, bytesEqual, utf8 } from './crypto/bytes';
