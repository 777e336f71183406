/**
 * The chat layer's pipe between nodes: one `app` RPC per payload, answered by `app_ack` (which may
 * carry a payload back). It rides the DHT's RPC layer, so a request to a node we have no direct
 * connection to is tunneled over the overlay's links, and relays see only opaque bytes (every
 * payload is sealed end to end by the layer above).
 *
 * Remote input is bounded: payload size by the wire codec, requests per sending peer by a token
 * bucket (a larger one for our contacts' nodes: a conversation sends thousands of messages a
 * second, a stranger only requests), handler work by the caller. A handler that throws or rejects
 * (it could not store what came) is counted and answered OVERLOADED, never thrown into the event
 * loop: the sender tries again, and an ack always means handled.
 */
import type { PeerId } from '../env/transport';
import { hexToBytes } from '../crypto/bytes';
import { Counters } from '../dht/counters';
import type { DhtExtension, DhtNode } from '../dht/node';
import type { LookupPeer } from '../dht/peer';
import { PeerRateLimiter } from '../dht/rate-limit';
import type { ResponseBody } from '../dht/rpc';
import { MAX_APP_PAYLOAD, type RequestMessage } from '../protocol/wire';
import { APP_RATE, CONTACT_APP_RATE } from './constants';
import { ChatError } from './errors';

export type AppHandler = (from: PeerId, payload: Uint8Array) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

export class AppChannel implements DhtExtension {
  readonly counters = new Counters();
  private handler: AppHandler | undefined;
  private readonly limiter = new PeerRateLimiter(APP_RATE.perSecond, APP_RATE.burst);
  private readonly contactLimiter = new PeerRateLimiter(CONTACT_APP_RATE.perSecond, CONTACT_APP_RATE.burst, 256);
  /** Whether a node is one of our contacts' (set by the chat node); their requests get CONTACT_APP_RATE. */
  isContactNode: (node: string) => boolean = () => false;

  constructor(private readonly node: DhtNode) {
    node.use(this);
  }

  /** The one receiver of app payloads (the chat node). */
  onMessage(h: AppHandler): void {
    this.handler = h;
  }

  /**
   * Send `payload` to the node `peer`; resolves with the answer's payload (or undefined for a
   * bare ack), rejects with ChatError NOT_FOUND when the node does not answer in time, BUSY when
   * it refuses us as over its rate or its handler failed.
   */
  send(peer: PeerId, payload: Uint8Array, opts: { timeoutMs?: number } = {}): Promise<Uint8Array | undefined> {
    if (payload.length > MAX_APP_PAYLOAD) return Promise.reject(new ChatError('BAD_ARGUMENT', `payload over ${MAX_APP_PAYLOAD} bytes`));
    const target: LookupPeer = { id: hexToBytes(peer), hex: peer };
    this.counters.inc('sent');
    return new Promise((resolve, reject) => {
      this.node.rpc.request(
        target,
        { type: 'app', payload },
        (res) => {
          if (res?.type === 'app_ack') {
            this.counters.inc('acked');
            resolve(res.payload);
          } else if (res?.type === 'error' && (res.code === 'RATE_LIMITED' || res.code === 'OVERLOADED')) {
            this.counters.inc('busy');
            reject(new ChatError('BUSY', `${peer} is over its rate, or could not take it now`));
          } else {
            this.counters.inc('unanswered');
            reject(new ChatError('NOT_FOUND', `no answer from ${peer}`));
          }
        },
        opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {},
      );
    });
  }

  handle(from: LookupPeer, msg: RequestMessage, reply: (res: ResponseBody) => void): boolean {
    if (msg.type !== 'app') return false;
    const limiter = this.isContactNode(from.hex) ? this.contactLimiter : this.limiter;
    if (!limiter.take(from.hex, this.node.clock.now())) {
      this.counters.inc('drop.rate_limited');
      reply({ type: 'error', code: 'RATE_LIMITED' });
      return true;
    }
    const h = this.handler;
    if (!h) {
      this.counters.inc('drop.no_handler');
      reply({ type: 'app_ack' });
      return true;
    }
    this.counters.inc('received');
    const answer = (p: Uint8Array | undefined): void =>
      reply(p && p.length <= MAX_APP_PAYLOAD ? { type: 'app_ack', payload: p } : { type: 'app_ack' });
    const failed = (): void => {
      this.counters.inc('handler.error');
      reply({ type: 'error', code: 'OVERLOADED' });
    };
    try {
      const r = h(from.hex, msg.payload);
      if (r instanceof Promise) r.then(answer, failed);
      else answer(r);
    } catch {
      failed();
    }
    return true;
  }
}
