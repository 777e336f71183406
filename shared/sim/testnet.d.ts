/**
 * createTestnet(n, { seed }): a whole network of real DhtNodes on a simulated network and a
 * virtual clock. Nodes join one after another, each bootstrapping from a random sample of up to 8
 * live members (what the signaling server hands out). Public so users can run it too.
 */
import { SeededRng } from '../env/rng';
import { DhtNode, type DhtInit } from '../dht/node';
import { type NodeId } from '../dht/node-id';
import { SimNetwork, type SimEndpoint, type SimNetworkOptions } from './network';
import { VirtualClock } from './virtual-clock';
export interface SimNode {
    readonly node: DhtNode;
    readonly endpoint: SimEndpoint;
    joined: boolean;
}
export interface TestnetOptions {
    seed: number;
    network?: SimNetworkOptions;
    /** DHT parameters (k, alpha, beta, bitsPerLevel, ...). */
    dht?: Partial<Omit<DhtInit, 'id'>>;
    /** Virtual ms between successive joins. @default 20 */
    joinSpacingMs?: number;
    /** Bootstrap sample size. @default 8 */
    bootstrapSample?: number;
    /** Re-bootstraps (fresh sample) when a join reached nobody. @default 4 */
    joinRetries?: number;
    /** Virtual ms to let the network settle after the last join. @default 30000 */
    settleMs?: number;
    /** Called as nodes finish joining. */
    onProgress?: (joined: number, total: number) => void;
    /** Called once a node has joined (e.g. to start its link keeper). */
    onJoined?: (sn: SimNode) => void;
    /** Build a node (hook for scenarios that wrap nodes, e.g. attackers or record layers). */
    makeNode?: (tn: Testnet, id: NodeId, endpoint: SimEndpoint) => DhtNode;
}
export declare class Testnet {
    readonly opts: TestnetOptions;
    readonly clock: VirtualClock;
    readonly rng: SeededRng;
    readonly net: SimNetwork;
    readonly nodes: SimNode[];
    private readonly byHex;
    /** Live joined members, as the signaling server would know them. */
    private readonly members;
    private prunedAt;
    constructor(opts: TestnetOptions);
    /** Create a node (not yet joined). */
    addNode(id?: NodeId): SimNode;
    get(hex: string): SimNode | undefined;
    /** A random sample of up to n live members (the signaling server's bootstrap answer). */
    sample(n: number, exclude?: SimNode): SimNode[];
    /** Drop members that died since the last call (only scans after a crash or leave). */
    private pruneMembers;
    /**
     * Join through a fresh bootstrap sample. A join that reached nobody (every seed unreachable)
     * is retried with a new sample (joinRetries times), as a client would ask the server again.
     */
    join(sn: SimNode, cb?: () => void, attempt?: number): void;
    live(): SimNode[];
    crash(sn: SimNode): void;
    leave(sn: SimNode): void;
    /** Ground truth: the k live joined nodes closest to target, by XOR, from full membership. */
    trueClosest(target: NodeId, k: number, among?: SimNode[]): SimNode[];
    runFor(ms: number): void;
}
/** Build a network of n nodes and join them all; returns once joins have settled. */
export declare function createTestnet(n: number, opts: TestnetOptions): Testnet;
