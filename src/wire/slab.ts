/**
 * Short byte arrays carved from shared slabs, for the data path. `new Uint8Array(1400)`
 * costs about 1.3 µs in V8 (a zeroed backing store of its own, freed by the garbage
 * collector); a view into a slab costs about 0.15 µs. A slab is never written again once
 * handed out, so a view stays valid for as long as someone holds it; the price is that one
 * view held keeps its whole slab alive. So use it only for arrays that are let go soon
 * (a packet on its way to the socket, a payload waiting for its acknowledgement), never for
 * what is handed to an application that may keep it.
 *
 * @see spec/wire.md#slabs
 * @module
 */

/** Bytes per slab: a few dozen full-size packets. */
export const SLAB_SIZE = 16 * 1024;

/** Requests larger than this get an array of their own. */
export const SLAB_MAX_TAKE = 2048;

let slab = new Uint8Array(SLAB_SIZE);
let used = 0;

/**
 * A zero-filled array of `length` bytes, a view into a shared slab when it is at most
 * {@link SLAB_MAX_TAKE} bytes. Its `buffer` is shared: read and write it only through the
 * view.
 */
export function slabBytes(length: number): Uint8Array {
  if (length > SLAB_MAX_TAKE) return new Uint8Array(length);
  if (used + length > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    used = 0;
  }
  const view = slab.subarray(used, used + length);
  used += length;
  return view;
}

/** A copy of `bytes` in slab memory (see {@link slabBytes}). */
export function slabCopy(bytes: Uint8Array): Uint8Array {
  const copy = slabBytes(bytes.length);
  copy.set(bytes);
  return copy;
}
