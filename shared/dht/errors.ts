/**
 * One error type for the promise and constructor APIs of the core, with string codes (dht-rpc
 * style). Remote input never throws: it is dropped and counted (see Rpc's `drop.*` counters).
 */
export type DhtErrorCode =
  /** A caller passed a malformed id, key or option. */
  | 'BAD_ARGUMENT'
  /** The node was closed before or while the call ran. */
  | 'CLOSED'
  /** Every node that answered a put refused it (the message names the refusal codes). */
  | 'STORE_REFUSED';

export class DhtError extends Error {
  override readonly name = 'DhtError';
  constructor(
    readonly code: DhtErrorCode,
    message?: string,
  ) {
    super(message ? `${code}: ${message}` : code);
  }

  static badArgument(msg: string): DhtError {
    return new DhtError('BAD_ARGUMENT', msg);
  }
  static closed(): DhtError {
    return new DhtError('CLOSED', 'node closed');
  }
  static storeRefused(codes: Record<string, number | undefined>): DhtError {
    const list = Object.entries(codes)
      .filter(([, n]) => n)
      .map(([c, n]) => `${c} x${n}`);
    return new DhtError('STORE_REFUSED', list.join(', '));
  }
}
