/** Decoder checks shared by the wire codec tests. */

/** How many of `bytes`' truncations, and the one-byte extension, `decode` accepts (it should be 0). */
export function everyCut(bytes: Uint8Array, decode: (b: Uint8Array) => unknown): number {
  let accepted = 0;
  for (let n = 0; n < bytes.length; n++) if (decode(bytes.subarray(0, n)) !== null) accepted++;
  const longer = new Uint8Array(bytes.length + 1);
  longer.set(bytes);
  if (decode(longer) !== null) accepted++;
  return accepted;
}
