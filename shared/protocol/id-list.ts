/**
 * Node ids packed back to back, 20 bytes each: a NODES answer as it is built, sent and read. One
 * buffer instead of an array of 20-byte views, so answering and reading FIND_NODE allocates one
 * typed array, not twenty; a reader takes a view of an id only when it keeps it.
 */
const ID = 20;

export class IdList {
  readonly length: number;

  /** `bytes` must hold whole ids (a multiple of 20 bytes). */
  constructor(readonly bytes: Uint8Array) {
    if (bytes.length % ID !== 0) throw new RangeError(`id list of ${bytes.length} bytes is not a multiple of ${ID}`);
    this.length = bytes.length / ID;
  }

  static of(ids: readonly Uint8Array[]): IdList {
    const bytes = new Uint8Array(ids.length * ID);
    ids.forEach((id, i) => {
      if (id.length !== ID) throw new RangeError(`id ${i} is ${id.length} bytes, not ${ID}`);
      bytes.set(id, i * ID);
    });
    return new IdList(bytes);
  }

  /** Id i, as a view into the list's buffer (no copy). */
  at(i: number): Uint8Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new RangeError(`id index ${i} out of range 0..${this.length - 1}`);
    return this.bytes.subarray(i * ID, (i + 1) * ID);
  }

  toArray(): Uint8Array[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }
}
