/**
 * A cursor that writes big-endian integers and byte strings into a buffer sized up front:
 * compute the size, allocate once, write. Writing past the size is an {@link EncodeError}.
 *
 * @see spec/wire.md#byte-reader-and-writer
 * @module
 */
import { EncodeError } from './errors.ts';

/** Writes into a fixed-size `Uint8Array`. */
export class ByteWriter {
  readonly buffer: Uint8Array;
  private readonly view: DataView;
  private pos = 0;

  constructor(size: number) {
    this.buffer = new Uint8Array(size);
    this.view = new DataView(this.buffer.buffer);
  }

  get offset(): number {
    return this.pos;
  }

  private take(n: number): number {
    if (this.pos + n > this.buffer.length) {
      throw new EncodeError(`write of ${n} bytes at offset ${this.pos} overflows a ${this.buffer.length}-byte buffer`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private int(value: number, max: number, what: string): number {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new EncodeError(`${what} out of range: ${value}`);
    }
    return value;
  }

  u8(value: number): this {
    this.view.setUint8(this.take(1), this.int(value, 0xff, 'u8'));
    return this;
  }

  u16(value: number): this {
    this.view.setUint16(this.take(2), this.int(value, 0xffff, 'u16'));
    return this;
  }

  u32(value: number): this {
    this.view.setUint32(this.take(4), this.int(value, 0xffffffff, 'u32'));
    return this;
  }

  u64(value: bigint): this {
    if (value < 0n || value > 0xffffffffffffffffn) throw new EncodeError(`u64 out of range: ${value}`);
    this.view.setBigUint64(this.take(8), value);
    return this;
  }

  bytes(data: Uint8Array): this {
    this.buffer.set(data, this.take(data.length));
    return this;
  }

  /** The written bytes; throws if fewer were written than the size given. */
  finish(): Uint8Array {
    if (this.pos !== this.buffer.length) {
      throw new EncodeError(`wrote ${this.pos} of ${this.buffer.length} bytes`);
    }
    return this.buffer;
  }
}
