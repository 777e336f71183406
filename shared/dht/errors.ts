/** One error type for the DHT's API errors, with string codes (dht-rpc style). */
export type DhtErrorCode =
  | 'REQUEST_TIMEOUT'
  | 'DESTROYED'
  | 'NO_PEERS'
  | 'DECODE_ERROR'
  | 'REMOTE_ERROR'
  | 'BAD_ARGUMENT'
  | 'STORE_REFUSED';

export class DhtError extends Error {
  override readonly name = 'DhtError';
  constructor(
    readonly code: DhtErrorCode,
    message?: string,
  ) {
    super(message ? `${code}: ${message}` : code);
  }

  static timeout(msg?: string): DhtError {
    return new DhtError('REQUEST_TIMEOUT', msg);
  }
  static destroyed(): DhtError {
    return new DhtError('DESTROYED');
  }
  static badArgument(msg: string): DhtError {
    return new DhtError('BAD_ARGUMENT', msg);
  }
}
