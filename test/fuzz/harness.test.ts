import test, { type ExecutionContext } from 'ava';
import { DecodeError } from '../../src/wire/index.ts';
import { fuzzParser } from './harness.ts';

const why = (e: Error | undefined) => `${e?.message} ${(e?.cause as Error | undefined)?.message}`;
const quiet = { pass: () => {} } as unknown as ExecutionContext;

test('the harness reports a parser that throws an untyped error', (t) => {
  const e = t.throws(() => fuzzParser(quiet, {
    parse: (b) => { if (b.length > 3 && b[0]! > 128) throw new RangeError('offset out of bounds'); return b; },
    errors: [DecodeError],
    samples: [new Uint8Array([200, 1, 2, 3, 4])],
    runs: 200,
  }));
  t.regex(why(e), /untyped RangeError/);
});

test('the harness reports a parser whose output outgrows its input', (t) => {
  const e = t.throws(() => fuzzParser(quiet, {
    parse: (b) => new Uint8Array(b.length * 2 + 1),
    errors: [DecodeError],
    samples: [new Uint8Array([1])],
    outputSize: (r) => r.length,
    runs: 50,
  }));
  t.regex(why(e), /exceeds/);
});

test('the harness accepts a parser that only throws its typed error', (t) => {
  t.notThrows(() => fuzzParser(quiet, {
    parse: (b) => { if (b.length % 2) throw new DecodeError('truncated', 'odd'); return b.length; },
    errors: [DecodeError],
    samples: [new Uint8Array([1, 2])],
    runs: 100,
  }));
});
