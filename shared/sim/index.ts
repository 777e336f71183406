/** The simulator: virtual time, a simulated network, and testnets of real nodes on it. */
export { VirtualClock } from './virtual-clock';
export { SimNetwork, type SimNetworkOptions, type ConnectionModel } from './network';
export { Testnet, createTestnet, type TestnetOptions, type SimNode } from './testnet';
export { RecordsTestnet, createRecordsTestnet, type RecordsTestnetOptions, type RecordPeer } from './records-testnet';
