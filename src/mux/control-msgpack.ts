/**
 * The few msgpack forms a control message uses — a map of up to 15 entries, string keys,
 * unsigned integers and strings — written and read directly. An open costs a control
 * message each way, and the general msgpack encoder and decoder (a map object, a buffer
 * to grow, a key cache) were about a sixth of its CPU. The bytes are the ones the general
 * encoder makes (smallest integer and string forms, keys in the order given); the reader
 * takes only the forms this version writes, with ASCII strings and known keys, and says
 * `undefined` for anything else, which `decodeControl` then hands to the general decoder:
 * so what a control frame means does not depend on which of the two read it.
 *
 * @see spec/mux.md#control-messages
 * @module
 */

/** A map entry's value as this codec writes it. */
export type PlainValue = number | string;

/** The keys a control message of this version has (the reader gives up on any other). */
const KNOWN_KEYS = ['type', 'channel', 'state', 'name', 'window', 'reason', 'credit', 'version'] as const;

/** The known keys by their first byte and length, for the reader: a key is matched without making a string. */
const KEY_BYTES = KNOWN_KEYS.map((k) => Uint8Array.from(k, (c) => c.charCodeAt(0)));

const utf8 = new TextEncoder();

/** Whether every code unit of `s` is ASCII (then its UTF-8 is one byte per unit). */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Where a map is written before it is copied out at its length (a control message is at most a frame). */
const scratch = new Uint8Array(64 * 1024);

/** Each known key's header and bytes, written as one piece. */
const KEY_FORMS = new Map(KNOWN_KEYS.map((k) => [k as string, Uint8Array.from([0xa0 | k.length, ...Array.from(k, (c) => c.charCodeAt(0))])]));

/**
 * Writes the map of `keys` and `values` (same length, at most 15; integers from 0 to
 * 2³²−1, checked by the caller; strings of at most 65535 UTF-8 bytes) into a Uint8Array
 * of exactly its length.
 */
export function writeMap(keys: readonly string[], values: readonly PlainValue[]): Uint8Array {
  const out = scratch;
  out[0] = 0x80 | keys.length;
  let at = 1;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const form = KEY_FORMS.get(key);
    if (form !== undefined) {
      out.set(form, at);
      at += form.length;
    } else {
      out[at++] = 0xa0 | key.length;
      for (let j = 0; j < key.length; j++) out[at++] = key.charCodeAt(j);
    }
    const v = values[i]!;
    if (typeof v === 'number') at = writeUint(out, at, v);
    else at = writeStr(out, at, v);
  }
  return out.slice(0, at);
}

/** Writes `s` as a msgpack string (ASCII byte by byte; anything else through a TextEncoder). */
function writeStr(out: Uint8Array, at: number, s: string): number {
  const bytes = isAscii(s) ? undefined : utf8.encode(s);
  const n = bytes === undefined ? s.length : bytes.length;
  if (n > 0xffff || at + 3 + n > out.length) throw new RangeError(`a ${n}-byte string does not fit a control message`);
  if (n < 32) out[at++] = 0xa0 | n;
  else if (n < 0x100) {
    out[at++] = 0xd9;
    out[at++] = n;
  } else {
    out[at++] = 0xda;
    out[at++] = n >>> 8;
    out[at++] = n & 0xff;
  }
  if (bytes !== undefined) {
    out.set(bytes, at);
    return at + n;
  }
  for (let j = 0; j < n; j++) out[at++] = s.charCodeAt(j);
  return at;
}

function writeUint(out: Uint8Array, at: number, n: number): number {
  if (n < 0x80) {
    out[at] = n;
    return at + 1;
  }
  if (n < 0x100) {
    out[at] = 0xcc;
    out[at + 1] = n;
    return at + 2;
  }
  if (n < 0x10000) {
    out[at] = 0xcd;
    out[at + 1] = n >>> 8;
    out[at + 2] = n & 0xff;
    return at + 3;
  }
  out[at] = 0xce;
  return writeU32(out, at + 1, n);
}

function writeU32(out: Uint8Array, at: number, n: number): number {
  out[at] = n >>> 24;
  out[at + 1] = (n >>> 16) & 0xff;
  out[at + 2] = (n >>> 8) & 0xff;
  out[at + 3] = n & 0xff;
  return at + 4;
}

/**
 * Reads `body` as one map of known keys to unsigned integers and ASCII strings, in the
 * forms {@link writeMap} writes, filling the whole body. Returns the map, or undefined for
 * anything else (another form, an unknown or repeated key, a non-ASCII string, a byte
 * short or left over): the caller then reads it with the general decoder. Never throws.
 */
export function readPlainMap(body: Uint8Array): Record<string, PlainValue> | undefined {
  const n = body.length;
  if (n === 0) return undefined;
  const head = body[0]!;
  if ((head & 0xf0) !== 0x80) return undefined;
  const entries = head & 0x0f;
  const map: Record<string, PlainValue> = {};
  let seen = 0;
  let at = 1;
  for (let e = 0; e < entries; e++) {
    // The key: a fixstr that is one of the known keys.
    if (at >= n) return undefined;
    const kh = body[at]!;
    if ((kh & 0xe0) !== 0xa0) return undefined;
    const klen = kh & 0x1f;
    if (at + 1 + klen > n) return undefined;
    const k = knownKey(body, at + 1, klen);
    if (k < 0 || (seen & (1 << k)) !== 0) return undefined;
    seen |= 1 << k;
    at += 1 + klen;
    // The value: an unsigned integer up to 32 bits, or an ASCII string.
    if (at >= n) return undefined;
    const vh = body[at]!;
    let value: PlainValue;
    if (vh < 0x80) {
      value = vh;
      at += 1;
    } else if (vh === 0xcc || vh === 0xcd || vh === 0xce) {
      const width = vh === 0xcc ? 1 : vh === 0xcd ? 2 : 4;
      if (at + 1 + width > n) return undefined;
      let v = 0;
      for (let i = 1; i <= width; i++) v = v * 256 + body[at + i]!;
      value = v;
      at += 1 + width;
    } else {
      let slen: number;
      let start: number;
      if ((vh & 0xe0) === 0xa0) {
        slen = vh & 0x1f;
        start = at + 1;
      } else if (vh === 0xd9) {
        if (at + 2 > n) return undefined;
        slen = body[at + 1]!;
        start = at + 2;
      } else if (vh === 0xda) {
        if (at + 3 > n) return undefined;
        slen = (body[at + 1]! << 8) | body[at + 2]!;
        start = at + 3;
      } else return undefined;
      if (start + slen > n) return undefined;
      let s = '';
      for (let i = start; i < start + slen; i++) {
        const c = body[i]!;
        if (c > 0x7f) return undefined;
        s += String.fromCharCode(c);
      }
      value = s;
      at = start + slen;
    }
    map[KNOWN_KEYS[k]!] = value;
  }
  return at === n ? map : undefined;
}

/** The index in {@link KNOWN_KEYS} of the `length` bytes of `body` from `at`, or -1. */
function knownKey(body: Uint8Array, at: number, length: number): number {
  outer: for (let k = 0; k < KEY_BYTES.length; k++) {
    const key = KEY_BYTES[k]!;
    if (key.length !== length) continue;
    for (let i = 0; i < length; i++) if (body[at + i] !== key[i]) continue outer;
    return k;
  }
  return -1;
}
