/**
 * The seam between the sans-IO SignalHub and whatever joins several server instances into one
 * signaling service. The hub never waits on the network: it calls a `Cluster` method and, where an
 * answer matters, passes a callback that the cluster runs later (or at once). Whatever the cluster
 * hears from other instances it hands to the hub through `ClusterHost`.
 *
 * Rules every implementation keeps:
 * - A node id is claimed cluster-wide at hello. The newest claim wins: the instance holding an
 *   older claim is told to close it with REPLACED, by claim token (not by id), so a displacement
 *   that arrives late never closes a newer connection.
 * - A relay to an id that is not connected here goes to the instance that holds it. If it cannot be
 *   delivered (unknown id, owner gone, target busy, store down), the sender gets an error frame
 *   through `ClusterHost.relayFailed`. A relay is never dropped without an answer.
 * - When the shared store is unreachable the cluster reports 'degraded', answers every call at once
 *   as a lone instance would, and re-registers everything local (`ClusterHost.snapshot`) when the
 *   store returns.
 *
 * `LocalCluster` is the single-instance server: every callback runs synchronously, so without
 * --redis the hub behaves exactly as it did before clustering existed.
 */
import type { SignalErrorCode } from '../../shared/protocol/signaling';

/** 'local': no shared store (one instance); 'ok': joined to the cluster; 'degraded': store unreachable. */
export type ClusterState = 'local' | 'ok' | 'degraded';

/** Codes an instance can answer a remote relay with (the sender's client receives them as error frames). */
export type RelayFailure = Extract<SignalErrorCode, 'UNKNOWN_TARGET' | 'TARGET_BUSY'>;

/** What the hub asks of the cluster. No call blocks; none throws. */
export interface Cluster {
  readonly state: ClusterState;
  /** This instance's id in the cluster ('' for a lone instance). */
  readonly instanceId: string;
  /** Connect the hub: remote relays, displacements and errors are delivered to it. */
  attach(host: ClusterHost): void;
  /**
   * `nodeId` proved its key on a local connection. Returns the claim token that connection holds.
   * `done` runs once the claim is cluster-wide (or given up on), with up to `sampleSize` random
   * other ids from the whole cluster, or null to fall back to a local sample.
   */
  claim(nodeId: string, sampleSize: number, done: (sample: string[] | null) => void): string;
  /** The connection holding `claim` for `nodeId` is gone. */
  release(nodeId: string, claim: string): void;
  /**
   * Forward a relay frame to `to`, which is not connected here. False: it cannot be tried at all
   * (no cluster, or the store is down); the hub answers UNKNOWN_TARGET itself. True: delivery was
   * attempted, and a failure comes back as `ClusterHost.relayFailed(from, ref, code, to)`.
   */
  relay(to: string, frame: string, from: string, ref: number | undefined): boolean;
  /** Up to `k` random connected ids from the whole cluster, never `exclude`; null: use a local sample. */
  sample(k: number, exclude: string, done: (ids: string[] | null) => void): void;
  /**
   * Admission against the cluster-wide per-address cap: `localCount` connections from `ip` would be
   * open here with this one. `done(false)`: the cap is reached across the cluster. A lone or
   * degraded instance answers true (the hub's local cap still applies).
   */
  admitIp(ip: string, localCount: number, cap: number, done: (ok: boolean) => void): void;
  /** This instance now holds `count` connections from `ip` (0 = none). */
  ipCount(ip: string, count: number): void;
  /** Stop heartbeats and leave the cluster (after the hub has closed its clients). */
  close(): Promise<void>;
}

/** What the cluster hands back to the hub. */
export interface ClusterHost {
  /** A relay frame from another instance for local id `to`: delivered (null) or why not. */
  deliver(to: string, frame: string): RelayFailure | null;
  /** A relay sent by local id `from` (request `ref`) to `target` could not be delivered. */
  relayFailed(from: string, ref: number | undefined, code: RelayFailure, target: string): void;
  /** A newer connection claimed `nodeId` elsewhere: close the local one if it still holds `claim`. */
  displace(nodeId: string, claim: string): void;
  /** Everything local to re-register after the store comes back. */
  snapshot(): ClusterSnapshot;
  /** The cluster's state changed (for logs and metrics). */
  stateChanged(state: ClusterState): void;
}

export interface ClusterSnapshot {
  /** [nodeId, claim] of every authenticated local connection. */
  peers: [string, string][];
  /** [ip, connections from it here]. */
  ips: [string, number][];
}

/** One instance alone: nothing is shared, every answer is immediate. */
export class LocalCluster implements Cluster {
  readonly state = 'local' as const;
  readonly instanceId = '';
  attach(): void {}
  claim(_nodeId: string, _k: number, done: (sample: string[] | null) => void): string {
    done(null);
    return '';
  }
  release(): void {}
  relay(): boolean {
    return false;
  }
  sample(_k: number, _exclude: string, done: (ids: string[] | null) => void): void {
    done(null);
  }
  admitIp(_ip: string, _n: number, _cap: number, done: (ok: boolean) => void): void {
    done(true);
  }
  ipCount(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}
