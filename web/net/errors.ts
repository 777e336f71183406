/** One error type for web/net API errors, with string codes (dht-rpc style). */
export type NetErrorCode =
  | 'POOL_FULL' // every open slot is protected or still connecting
  | 'LIFETIME_LIMIT' // hard stop on RTCPeerConnections created by this page
  | 'UNSOLICITED' // an offer from a peer with no reason to call, beyond the strangers' budget
  | 'CONNECT_TIMEOUT'
  | 'CONNECT_FAILED'
  | 'REJECTED' // the remote refused our offer (its budget)
  | 'DESTROYED'
  | 'BAD_ARGUMENT';

export class NetError extends Error {
  override readonly name = 'NetError';
  constructor(
    readonly code: NetErrorCode,
    message?: string,
  ) {
    super(message ? `${code}: ${message}` : code);
  }
}
