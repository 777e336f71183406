/** Browser persistence: IndexedDB record store and node identity, one database pair per profile. */
export { IdbChatStore } from './idb-chat-store';
export { IdbRecordStore, type IdbRecordStoreOptions } from './idb-record-store';
export { loadOrCreateIdentity, identityDbName, type IdentityStoreOptions, type LoadedIdentity } from './identity-store';
export { DEFAULT_DB_PREFIX, assertProfile } from './profile';
export { deleteProfile } from './profile';
