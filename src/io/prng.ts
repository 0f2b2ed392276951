/**
 * The simulator's random numbers: xoshiro128** (Blackman and Vigna), 128 bits of state,
 * seeded through splitmix32. Small, fast, and the same on every machine, so a seed
 * replays a run exactly. Not for cryptography.
 *
 * @see spec/io.md#the-generator
 * @module
 */

import { ConfigError } from './errors.ts';

const TWO_POW_32 = 0x1_0000_0000;

/** One step of splitmix32: returns the mixed output and the advanced state. */
function splitmix32(state: number): [output: number, next: number] {
  const next = (state + 0x9e37_79b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85eb_ca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2_ae35);
  z ^= z >>> 16;
  return [z >>> 0, next];
}

/** FNV-1a over the UTF-16 code units of a string: turns a text seed into 32 bits. */
function hashString(text: string): number {
  let h = 0x811c_9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x0100_0193);
  return h >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A seeded xoshiro128** generator. */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** A generator seeded from a number (any finite value) or a string. */
  constructor(seed: number | string) {
    let state: number;
    if (typeof seed === 'string') {
      state = hashString(seed);
    } else {
      if (!Number.isFinite(seed)) throw new ConfigError(`seed must be finite, got ${seed}`);
      const high = Math.floor(seed / TWO_POW_32) | 0;
      state = (seed >>> 0) ^ Math.imul(high, 0x2545_f491);
    }
    this.s0 = this.s1 = this.s2 = this.s3 = 0;
    this.reseed(state);
  }

  /** A generator with exactly this state (four 32-bit words, not all zero). */
  static fromState(state: readonly [number, number, number, number]): Prng {
    const prng = new Prng(0);
    [prng.s0, prng.s1, prng.s2, prng.s3] = state.map((w) => w >>> 0) as [number, number, number, number];
    if ((prng.s0 | prng.s1 | prng.s2 | prng.s3) === 0) throw new ConfigError('xoshiro128** state must not be all zero');
    return prng;
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float uniform in [0, 1), with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** An integer uniform in [min, maxExclusive). */
  nextInt(min: number, maxExclusive: number): number {
    return min + Math.floor(this.next() * (maxExclusive - min));
  }

  /** True with probability `p` (always false for p <= 0, always true for p >= 1). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  /**
   * A new generator whose stream is independent of this one's: seeded from two draws of
   * this generator (which advances by two).
   */
  fork(): Prng {
    const child = new Prng(0);
    child.reseed(this.nextUint32() ^ rotl(this.nextUint32(), 16));
    return child;
  }

  /** Fills the state with four splitmix32 outputs from `state`. */
  private reseed(state: number): void {
    let s = state;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [out, next] = splitmix32(s);
      words.push(out);
      s = next;
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }
}
