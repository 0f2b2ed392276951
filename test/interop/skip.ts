/**
 * The gate every interop test file goes through.
 *
 * - c-toxcore present: tests run.
 * - c-toxcore missing: tests are registered as skipped, and one loud line goes to stderr
 *   (once per process) saying why and how to fix it.
 * - c-toxcore missing and `TOXLINK_INTEROP=required` (CI): tests are registered as
 *   normal tests that fail with the reason, so a broken CI image cannot pass silently.
 *
 * ```ts
 * const gate = interopGate();
 * gate.test('two C peers connect', async (t) => { ... });
 * ```
 *
 * @module
 */
import test, { type ExecutionContext } from 'ava';
import { openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cToxcoreAvailable } from './build.ts';

/** An interop test body. */
export type InteropImplementation = (t: ExecutionContext) => PromiseLike<void> | void;

/** Registers an interop test (run, skipped, or failing with the reason; see the module doc). */
export type InteropTestFn = (title: string, implementation: InteropImplementation) => void;

export interface InteropGate {
  /** True when the tests will really run. */
  readonly ok: boolean;
  /** Why they will not, when `ok` is false. */
  readonly why: string | undefined;
  /** True when `TOXLINK_INTEROP=required`. */
  readonly required: boolean;
  /** Declares a concurrent test. */
  readonly test: InteropTestFn;
  /** Declares a serial test. */
  readonly serial: InteropTestFn;
}

const HOW_TO_FIX = 'install libtoxcore-dev toxcore-utils or run bash .ci/run';
let warned = false;

/**
 * True for the first test file of this ava run to ask: ava runs each file in its own child
 * process, and the loud line should appear once per run, not once per file. The parent
 * (ava) process id names a marker file that only the first child manages to create.
 */
function firstInThisRun(): boolean {
  try {
    closeSync(openSync(join(tmpdir(), `toxlink-interop-skipped-${process.ppid}`), 'wx'));
    return true;
  } catch {
    return false;
  }
}

/** Decides, once per call site, how this file's interop tests are registered. */
export function interopGate(): InteropGate {
  const available = cToxcoreAvailable();
  const required = process.env['TOXLINK_INTEROP'] === 'required';
  if (available.ok) {
    return { ok: true, why: undefined, required, test: test, serial: test.serial };
  }
  const why = available.why;
  if (required) {
    const failing = (register: InteropTestFn): InteropTestFn => (title) => {
      register(title, (t) => {
        t.fail(`INTEROP TESTS REQUIRED (TOXLINK_INTEROP=required) but ${why}; ${HOW_TO_FIX}`);
      });
    };
    return { ok: false, why, required, test: failing(test), serial: failing(test.serial) };
  }
  if (!warned) {
    warned = true;
    if (firstInThisRun()) process.stderr.write(`INTEROP TESTS SKIPPED: ${why}; ${HOW_TO_FIX}\n`);
  }
  return { ok: false, why, required, test: test.skip, serial: test.serial.skip };
}
