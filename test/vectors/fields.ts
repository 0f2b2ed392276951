/**
 * Reading vector files with their field types checked, so that a malformed file fails
 * loudly instead of passing a test by accident. Shared by every suite's runner.
 */
import { fromHex } from '../../src/wire/index.ts';

/** A JSON object as read from a vector file. */
export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function field(o: Json, key: string): unknown {
  if (!(key in o)) throw new TypeError(`missing field ${JSON.stringify(key)}`);
  return o[key];
}

export function str(o: Json, key: string): string {
  const v = field(o, key);
  if (typeof v !== 'string') throw new TypeError(`field ${key} must be a string`);
  return v;
}

export function int(o: Json, key: string): number {
  const v = field(o, key);
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new TypeError(`field ${key} must be an integer`);
  return v;
}

export function bool(o: Json, key: string): boolean {
  const v = field(o, key);
  if (typeof v !== 'boolean') throw new TypeError(`field ${key} must be a boolean`);
  return v;
}

/** A 64-bit value, written as decimal text. */
export function decimal(o: Json, key: string): bigint {
  const text = str(o, key);
  if (!/^\d+$/.test(text)) throw new TypeError(`field ${key} must be decimal text`);
  return BigInt(text);
}

/** Bytes, written as lower-case hex. */
export function bytes(o: Json, key: string): Uint8Array {
  const text = str(o, key);
  if (!/^(?:[0-9a-f]{2})*$/.test(text)) throw new TypeError(`field ${key} must be lower-case hex`);
  return fromHex(text);
}

export function obj(o: Json, key: string): Json {
  const v = field(o, key);
  if (!isObject(v)) throw new TypeError(`field ${key} must be an object`);
  return v;
}

export function list(o: Json, key: string): Json[] {
  const v = field(o, key);
  if (!Array.isArray(v) || !v.every(isObject)) throw new TypeError(`field ${key} must be a list of objects`);
  return v;
}

export function strings(o: Json, key: string): string[] {
  const v = field(o, key);
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new TypeError(`field ${key} must be a list of strings`);
  return v as string[];
}
