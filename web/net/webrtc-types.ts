/** Configuration, components, stats and drop reasons of the WebRTC transport (webrtc-transport.ts). */
import type { Instance as PeerInstance, Options as PeerOptions } from 'simple-peer';
import type { Clock } from '../../shared/env/clock';
import type { Rng } from '../../shared/env/rng';
import type { PeerId } from '../../shared/env/transport';
import type { ConnectionPoolInit } from './connection-pool';
import { SAFE_MESSAGE_BYTES } from './frame';
import type { Signaler } from './signaler';

export type SimplePeerCtor = new (opts?: PeerOptions) => PeerInstance;

export const DROP_REASONS = [
  'frame_too_large', // outgoing or incoming frame above maxFrameBytes
  'queue_full', // too many frames queued for a peer that is still connecting
  'backpressure', // channel bufferedAmount above maxBufferedBytes
  'connect_failed', // queued frames lost: ICE/DTLS failed, or the connection closed while connecting
  'connect_timeout', // queued frames lost: no connection within connectTimeoutMs
  'rejected', // queued frames lost: the remote refused our offer
  'pool_full', // queued frames lost / offer refused: every slot protected or connecting
  'lifetime_limit', // queued frames lost / offer refused: lifetime connection budget spent
  'unsolicited', // offer refused: a peer with no reason to call, beyond the strangers' budget
  'send_failed', // the data channel threw on send
  'bad_frame', // incoming message that is not a valid frame
  'stale_signal', // signal for an attempt we no longer have
  'glare_ignored', // the remote's offer lost the glare tie-break
  'bad_peer_id', // send() or a signal naming a malformed peer id, or ourselves
  'destroyed', // send() after destroy()
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export interface WebRtcTransportInit {
  /** Largest frame payload; bigger frames are dropped. @default 16384 */
  maxFrameBytes?: number;
  /** Frames queued per peer while connecting. @default 64 */
  maxQueuedFrames?: number;
  /** Drop frames while the channel buffers more than this. @default 1_048_576 */
  maxBufferedBytes?: number;
  /** Give up a dial after this long. @default 15_000 */
  connectTimeoutMs?: number;
  /** simple-peer trickle ICE. @default true */
  trickle?: boolean;
  /** ICE servers for new connections. @default [] (host candidates only) */
  iceServers?: RTCIceServer[];
  /** How often idle connections are swept. @default 30_000 */
  idleSweepMs?: number;
  /** Delay before redialing a protected peer whose connection failed. @default 1_000 */
  reconnectDelayMs?: number;
  /** Consecutive failed redials of a protected peer before giving up. @default 3 */
  maxReconnects?: number;
  /**
   * Our dial still connecting for longer than this when the peer's own offer arrives did not
   * cross it in flight: the peer never got our offer (it was not on the server yet, e.g. a tab
   * reopening), so its offer replaces our dial whatever the ids. @default 2_000
   */
  glareWindowMs?: number;
  /** How long a closing connection lingers so its BYE flushes. @default 100 */
  byeLingerMs?: number;
  /**
   * An open connection whose ICE state stays 'disconnected' this long is treated as failed
   * (browsers only reach 'failed' after ~30 s; a closed tab sends no goodbye). @default 3_000
   */
  disconnectGraceMs?: number;
  /** The connection budget. */
  pool?: ConnectionPoolInit;
}

/** The transport's settings, each given or its default (the @default values above). */
export type TransportConfig = Required<Omit<WebRtcTransportInit, 'pool' | 'iceServers'>>;

export function transportConfig(init: WebRtcTransportInit): TransportConfig {
  return {
    maxFrameBytes: Math.min(init.maxFrameBytes ?? SAFE_MESSAGE_BYTES, SAFE_MESSAGE_BYTES),
    maxQueuedFrames: init.maxQueuedFrames ?? 64,
    maxBufferedBytes: init.maxBufferedBytes ?? 1_048_576,
    connectTimeoutMs: init.connectTimeoutMs ?? 15_000,
    trickle: init.trickle ?? true,
    idleSweepMs: init.idleSweepMs ?? 30_000,
    reconnectDelayMs: init.reconnectDelayMs ?? 1_000,
    maxReconnects: init.maxReconnects ?? 3,
    byeLingerMs: init.byeLingerMs ?? 100,
    glareWindowMs: init.glareWindowMs ?? 2_000,
    disconnectGraceMs: init.disconnectGraceMs ?? 3_000,
  };
}

export interface WebRtcTransportComponents {
  /** This node's id (40 lower-case hex). */
  id: PeerId;
  signaler: Signaler;
  clock?: Clock;
  rng?: Rng;
  /** Node: `@roamhq/wrtc`. Browsers: leave undefined. */
  wrtc?: PeerOptions['wrtc'];
  /** Override the simple-peer constructor (e.g. a prebundled build). */
  SimplePeer?: SimplePeerCtor;
}

export interface TransportStats {
  /** Connections whose data channel is open. */
  open: number;
  connecting: number;
  /** RTCPeerConnections created by this transport (the pool's lifetime count). */
  lifetimeConnections: number;
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  drops: Record<DropReason, number>;
  peerDowns: number;
  reconnects: number;
  glares: number;
  /** Exceptions thrown by our own onFrame/onPeerUp/onPeerDown handlers (caught, counted). */
  handlerErrors: number;
  /** Dial-to-open times of the last (up to) 256 dials this side initiated, ms. */
  setupMs: number[];
}
