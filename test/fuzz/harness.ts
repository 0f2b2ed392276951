/**
 * The fuzz harness every parser in toxlink goes through: random bytes, every truncation
 * of valid samples and single-bit flips of them. A parser passes when, for all of them, it
 * either returns or throws one of the typed errors it is allowed to throw — never anything
 * else (no RangeError, no TypeError), never hangs (each call is timed), and never returns
 * more than `maxOutput(input)` allows (so it cannot allocate beyond the input's size).
 */
import fc from 'fast-check';
import type { ExecutionContext } from 'ava';

export interface ParserUnderFuzz<T> {
  /** Decodes bytes; may throw only instances of `errors`. */
  parse(bytes: Uint8Array): T;
  /** The typed errors the parser may throw. */
  errors: ReadonlyArray<new (...args: never[]) => Error>;
  /** Valid encodings to truncate and flip. */
  samples: Uint8Array[];
  /** Size of a parse result, in bytes or items, checked against `maxOutput`. */
  outputSize?: (value: T) => number;
  /** The largest `outputSize` allowed for an input of `n` bytes (default: `n`). */
  maxOutput?: (n: number) => number;
  /** Random inputs per property (default 2000). */
  runs?: number;
  /** Largest random input (default 2048 bytes). */
  maxLength?: number;
}

/** Wall-clock bound on one parse: generous (a GC pause on a loaded machine takes hundreds of ms), but a looping parser never meets it. */
const PARSE_BUDGET_MS = 1000;

function check<T>(p: ParserUnderFuzz<T>, bytes: Uint8Array): void {
  const started = performance.now();
  let value: T;
  try {
    value = p.parse(bytes);
  } catch (error) {
    if (p.errors.some((E) => error instanceof E)) return;
    throw new Error(`untyped ${(error as Error)?.name}: ${(error as Error)?.message} for input ${Buffer.from(bytes).toString('hex')}`);
  } finally {
    const took = performance.now() - started;
    if (took > PARSE_BUDGET_MS) throw new Error(`parse took ${took.toFixed(0)} ms on ${bytes.length} bytes`);
  }
  if (p.outputSize) {
    const size = p.outputSize(value);
    const max = (p.maxOutput ?? ((n: number) => n))(bytes.length);
    if (size > max) throw new Error(`output size ${size} exceeds ${max} for ${bytes.length} input bytes`);
  }
}

/** Runs the three fuzz properties against `p`; fails the test on the first counterexample. */
export function fuzzParser<T>(t: ExecutionContext, p: ParserUnderFuzz<T>): void {
  const runs = p.runs ?? 2000;
  fc.assert(fc.property(fc.uint8Array({ maxLength: p.maxLength ?? 2048 }), (bytes) => check(p, bytes)), { numRuns: runs });
  for (const sample of p.samples) {
    for (let n = 0; n <= sample.length; n++) check(p, sample.subarray(0, n));
    for (let bit = 0; bit < sample.length * 8; bit++) {
      const flipped = sample.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      check(p, flipped);
    }
  }
  fc.assert(
    fc.property(fc.constantFrom(...p.samples), fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), (sample, noise, at) => {
      const cut = sample.length === 0 ? 0 : at % sample.length;
      const spliced = new Uint8Array([...sample.subarray(0, cut), ...noise, ...sample.subarray(cut)]);
      check(p, spliced);
    }),
    { numRuns: Math.ceil(runs / 4) },
  );
  t.pass(`fuzzed ${runs} random inputs and ${p.samples.length} samples`);
}
