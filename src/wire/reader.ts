/**
 * A bounds-checked cursor over received bytes. Reading past the end throws a
 * {@link DecodeError} with code `truncated`, never a `RangeError`; slices are views
 * (no copy), so a parser allocates nothing beyond what it returns.
 *
 * @see spec/wire.md#byte-reader-and-writer
 * @module
 */
import { DecodeError } from './errors.ts';

/** Reads big-endian integers and byte strings from a `Uint8Array`. */
export class ByteReader {
  private readonly view: DataView;
  private pos = 0;

  constructor(private readonly input: Uint8Array) {
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  /** Bytes read so far. */
  get offset(): number {
    return this.pos;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.input.length - this.pos;
  }

  private take(n: number, what: string): number {
    if (n > this.remaining) {
      throw new DecodeError('truncated', `${what}: need ${n} bytes at offset ${this.pos}, have ${this.remaining}`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(what = 'u8'): number {
    return this.view.getUint8(this.take(1, what));
  }

  u16(what = 'u16'): number {
    return this.view.getUint16(this.take(2, what));
  }

  u32(what = 'u32'): number {
    return this.view.getUint32(this.take(4, what));
  }

  u64(what = 'u64'): bigint {
    return this.view.getBigUint64(this.take(8, what));
  }

  /** The next `n` bytes, as a view into the input. */
  bytes(n: number, what = 'bytes'): Uint8Array {
    const at = this.take(n, what);
    return this.input.subarray(at, at + n);
  }

  /** Everything not yet read, as a view. */
  rest(): Uint8Array {
    return this.bytes(this.remaining, 'rest');
  }

  /** Throws `trailing-bytes` unless the input was read to its end. */
  end(what = 'packet'): void {
    if (this.remaining !== 0) {
      throw new DecodeError('trailing-bytes', `${what}: ${this.remaining} bytes left over`);
    }
  }
}
