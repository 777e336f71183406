/** Typed decode failure. The RPC layer catches it, counts `code`, and drops the frame. */
export type WireErrorCode =
  | 'TRUNCATED'
  | 'BAD_VERSION'
  | 'UNKNOWN_TYPE'
  | 'LENGTH_OUT_OF_RANGE'
  | 'TRAILING_BYTES'
  | 'BAD_VALUE'
  | 'FRAME_TOO_LARGE';

export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(
    readonly code: WireErrorCode,
    detail?: string,
  ) {
    super(detail ? `${code}: ${detail}` : code);
  }
}
