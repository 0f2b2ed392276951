/**
 * The mux wire: one custom lossless packet (id {@link MUX_PACKET_ID}) holds one or more
 * whole frames, each a 16-bit body length, a 16-bit channel id and the body. A frame never
 * spans two packets, so a packet is read on its own, and a packet that is not made of whole
 * frames is refused whole.
 *
 * @see spec/mux.md#packets-and-frames
 * @module
 */
import { DecodeError, EncodeError } from '../wire/index.ts';
import { MAX_CRYPTO_DATA_SIZE } from '../netcrypto/index.ts';

/**
 * The lossless packet id the mux speaks on: 0xa7 (167), in the custom range 160–191 of
 * `PACKET_ID_RANGE_LOSSLESS_CUSTOM`. Not 162 (0xa2), which tuntox uses, nor 160, the
 * first id of the range that examples reach for.
 */
export const MUX_PACKET_ID = 0xa7;

/** The longest mux packet, id byte included: net_crypto's `MAX_CRYPTO_DATA_SIZE` (1373). */
export const MAX_MUX_PACKET_SIZE = MAX_CRYPTO_DATA_SIZE;

/** A frame header: 16-bit body length, then 16-bit channel id, both big-endian. */
export const FRAME_HEADER_SIZE = 4;

/** The longest frame body: a packet of one frame (1373 − 1 − 4 = 1368 bytes). */
export const MAX_FRAME_BODY = MAX_MUX_PACKET_SIZE - 1 - FRAME_HEADER_SIZE;

/** Channel 0 carries the control messages; it is never requested, never closed. */
export const CONTROL_CHANNEL = 0;

/** Channel 0xffff is reserved for a later version; frames for it are dropped. */
export const RESERVED_CHANNEL = 0xffff;

/** One frame: the channel it belongs to and its body; an empty body is EOF. */
export interface Frame {
  /** The channel id, 0 to 65535. */
  readonly channel: number;
  /** The body: data, a control message (channel 0), or nothing (EOF). */
  readonly body: Uint8Array;
}

/**
 * Whether `packet` is a well-formed mux packet — the id, at most 1373 bytes, and one or
 * more whole frames — by the rules of {@link decodeMuxPacket}, without making anything:
 * the receive path checks a packet with it, then walks its frames in place.
 */
export function isMuxPacket(packet: Uint8Array): boolean {
  const n = packet.length;
  if (n < 1 + FRAME_HEADER_SIZE || n > MAX_MUX_PACKET_SIZE || packet[0] !== MUX_PACKET_ID) return false;
  let at = 1;
  while (at < n) {
    if (n - at < FRAME_HEADER_SIZE) return false;
    at += FRAME_HEADER_SIZE + ((packet[at]! << 8) | packet[at + 1]!);
    if (at > n) return false;
  }
  return true;
}

/**
 * Splits a mux packet into its frames. The bodies are views into `packet` (no copy).
 * Throws a {@link DecodeError} and nothing else: `bad-value` for another packet id,
 * `truncated` for a packet of no frame or one that ends inside a frame, `trailing-bytes`
 * for a packet over 1373 bytes.
 */
export function decodeMuxPacket(packet: Uint8Array): Frame[] {
  if (packet.length === 0 || packet[0] !== MUX_PACKET_ID) {
    throw new DecodeError('bad-value', `not a mux packet (id ${packet.length === 0 ? 'missing' : packet[0]})`);
  }
  if (packet.length > MAX_MUX_PACKET_SIZE) {
    throw new DecodeError('trailing-bytes', `mux packet of ${packet.length} bytes, at most ${MAX_MUX_PACKET_SIZE}`);
  }
  if (packet.length < 1 + FRAME_HEADER_SIZE) {
    throw new DecodeError('truncated', `mux packet of ${packet.length} bytes holds no frame`);
  }
  const frames: Frame[] = [];
  let at = 1;
  while (at < packet.length) {
    if (packet.length - at < FRAME_HEADER_SIZE) {
      throw new DecodeError('truncated', `frame header at offset ${at}: ${packet.length - at} bytes left, need ${FRAME_HEADER_SIZE}`);
    }
    const length = (packet[at]! << 8) | packet[at + 1]!;
    const channel = (packet[at + 2]! << 8) | packet[at + 3]!;
    const start = at + FRAME_HEADER_SIZE;
    if (length > packet.length - start) {
      throw new DecodeError('truncated', `frame at offset ${at} says ${length} bytes, ${packet.length - start} left`);
    }
    frames.push({ channel, body: packet.subarray(start, start + length) });
    at = start + length;
  }
  return frames;
}

/**
 * Packets are cut from shared slabs rather than allocated one by one: a typed array of a
 * packet's size costs V8 a backing store of its own, and allocating one per packet was a
 * fifth of a busy channel's CPU. A builder takes a packet's room from the current slab at
 * its first frame and gives back what it did not use when it finishes (if no other builder
 * took room after it), so packets lie end to end. A region is never handed out twice: a
 * packet stays valid for as long as its owner holds it, and a slab is freed when no packet
 * of it is held any more.
 */
const SLAB_SIZE = 64 * 1024;
let slab = newSlab();
let slabTop = 0;

/** A slab, not zero-filled (only the bytes a builder wrote are ever handed out), as a plain Uint8Array (cheaper views than a Buffer's). */
function newSlab(): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(SLAB_SIZE).buffer, 0, SLAB_SIZE);
}

/**
 * Fills one mux packet with frames, in the order they are added. The sender asks `room`
 * how long a body still fits, adds frames, and takes the packet with `finish`. The packet's
 * bytes come from a shared slab, taken at the first frame (a builder that adds none takes
 * nothing).
 */
export class PacketBuilder {
  #slab: Uint8Array | undefined;
  #start = 0;
  #at = 1;

  /** The longest body the next frame may have (negative once not even a header fits). */
  get room(): number {
    return MAX_MUX_PACKET_SIZE - this.#at - FRAME_HEADER_SIZE;
  }

  /** Whether no frame was added yet. */
  get empty(): boolean {
    return this.#at === 1;
  }

  /** Adds a frame whose body is `length` bytes of `source` from `offset`. */
  add(channel: number, source: Uint8Array, offset = 0, length = source.length - offset): void {
    if (!Number.isInteger(channel) || channel < 0 || channel > 0xffff) throw new EncodeError(`channel id out of range: ${channel}`);
    if (length < 0 || offset < 0 || offset + length > source.length) throw new EncodeError(`frame body out of its source: ${offset}+${length} of ${source.length}`);
    if (length > this.room) throw new EncodeError(`a ${length}-byte frame body does not fit (room ${this.room})`);
    const p = this.#slab ?? this.#reserve();
    const at = this.#start + this.#at;
    p[at] = length >>> 8;
    p[at + 1] = length & 0xff;
    p[at + 2] = channel >>> 8;
    p[at + 3] = channel & 0xff;
    // A view made directly on the buffer: `subarray` goes through the species lookup and costs twice as much.
    p.set(length === source.length ? source : new Uint8Array(source.buffer, source.byteOffset + offset, length), at + FRAME_HEADER_SIZE);
    this.#at += FRAME_HEADER_SIZE + length;
  }

  /** The packet so far (a view into a slab, the caller's from now on); the builder must not be used afterwards but to `reset` it. */
  finish(): Uint8Array {
    const p = this.#slab ?? this.#reserve();
    const end = this.#start + this.#at;
    // Give back the room not used, if no builder took room after this one.
    if (p === slab && slabTop === this.#start + MAX_MUX_PACKET_SIZE) slabTop = end;
    return new Uint8Array(p.buffer, p.byteOffset + this.#start, this.#at);
  }

  /** Starts a new packet (after `finish`, or to drop an empty one): the sender keeps one builder. */
  reset(): void {
    this.#slab = undefined;
    this.#start = 0;
    this.#at = 1;
  }

  /** Takes a packet's room from the current slab (a fresh slab if it is full). */
  #reserve(): Uint8Array {
    if (slabTop + MAX_MUX_PACKET_SIZE > SLAB_SIZE) {
      slab = newSlab();
      slabTop = 0;
    }
    this.#slab = slab;
    this.#start = slabTop;
    slabTop += MAX_MUX_PACKET_SIZE;
    slab[this.#start] = MUX_PACKET_ID;
    return slab;
  }
}

/** Builds one packet of the given frames; throws an {@link EncodeError} if they do not fit. */
export function encodeMuxPacket(frames: readonly Frame[]): Uint8Array {
  if (frames.length === 0) throw new EncodeError('a mux packet holds at least one frame');
  const builder = new PacketBuilder();
  for (const frame of frames) builder.add(frame.channel, frame.body);
  return builder.finish().slice();
}
