/**
 * Channel names and reasons as the wire carries them: UTF-8 strings with a byte bound.
 *
 * @see spec/mux.md#bounds
 * @module
 */
import { MuxError } from './errors.ts';

const encoder = new TextEncoder();

/** The UTF-8 length of `s`, in bytes. */
export function utf8Length(s: string): number {
  // Names and reasons are ASCII most often: counted without encoding them.
  let i = 0;
  while (i < s.length && s.charCodeAt(i) < 0x80) i++;
  return i === s.length ? i : i + encoder.encode(s.slice(i)).length;
}

/** `s` cut to at most `max` UTF-8 bytes, never inside a character. */
export function clipUtf8(s: string, max: number): string {
  if (s.length * 3 <= max || utf8Length(s) <= max) return s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const n = utf8Length(ch);
    if (used + n > max) break;
    out += ch;
    used += n;
  }
  return out;
}

/** Throws a `bad-uri` or `uri-too-long` {@link MuxError} unless `uri` is a non-empty string of at most `max` UTF-8 bytes. */
export function checkUri(uri: unknown, max: number): asserts uri is string {
  if (typeof uri !== 'string' || uri.length === 0) throw new MuxError('bad-uri', 'a channel name must be a non-empty string');
  const n = utf8Length(uri);
  if (n > max) throw new MuxError('uri-too-long', `a channel name is at most ${max} UTF-8 bytes, this one is ${n}`);
}
