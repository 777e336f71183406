/**
 * Data-channel framing: one DHT frame per data-channel message, prefixed by one kind byte.
 *
 * Choice: no fragmentation. DHT frames are < 2 KB and 16 KiB is the message size every
 * browser's SCTP stack delivers intact, so a frame above `maxFrameBytes` is dropped and counted
 * ('frame_too_large') on both the send and the receive side. The kind byte leaves room for
 * control messages: BYE tells the remote that a close is a deliberate budget eviction, not a
 * failure, so it does not report the peer down to its DHT.
 */
export const FRAME_DATA = 0x00;
export const FRAME_BYE = 0x01;

/** The default and the upper bound of `maxFrameBytes` (payload bytes, kind byte excluded). */
export const SAFE_MESSAGE_BYTES = 16 * 1024;

export function encodeData(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out[0] = FRAME_DATA;
  out.set(payload, 1);
  return out;
}

export function encodeBye(): Uint8Array {
  return Uint8Array.of(FRAME_BYE);
}

export type DecodedFrame =
  | { kind: 'data'; payload: Uint8Array }
  | { kind: 'bye' }
  | { kind: 'bad'; reason: 'bad_frame' | 'frame_too_large' };

/** Strict decoder for bytes off a data channel; never throws. */
export function decodeFrame(msg: unknown, maxFrameBytes: number): DecodedFrame {
  let bytes: Uint8Array;
  if (msg instanceof Uint8Array) bytes = msg;
  else if (msg instanceof ArrayBuffer) bytes = new Uint8Array(msg);
  else return { kind: 'bad', reason: 'bad_frame' };
  if (bytes.length === 0) return { kind: 'bad', reason: 'bad_frame' };
  if (bytes.length - 1 > maxFrameBytes) return { kind: 'bad', reason: 'frame_too_large' };
  switch (bytes[0]) {
    case FRAME_DATA:
      // Copy into a plain Uint8Array (Node hands us a pooled Buffer view).
      return { kind: 'data', payload: new Uint8Array(bytes.subarray(1)) };
    case FRAME_BYE:
      return bytes.length === 1 ? { kind: 'bye' } : { kind: 'bad', reason: 'bad_frame' };
    default:
      return { kind: 'bad', reason: 'bad_frame' };
  }
}
