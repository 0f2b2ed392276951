/**
 * What the `toxlink` command says when something goes wrong. A mistake the user can fix (a
 * bad Tox ID, a port in use, a profile it cannot read) is one line on stderr that says what
 * is wrong and what to do, and exit code 1; never a stack trace. Anything else is a bug:
 * one line too, and the stack only with `--log-level debug`.
 *
 * @see spec/cli.md#errors-and-exit-codes
 * @module
 */
import { BindError } from '../io/index.ts';
import { MessengerError, ProfileError, ToxSaveError } from '../messenger/index.ts';
import { ToxIdError } from '../wire/index.ts';
import { RelayCommandError } from './relay.ts';

/** A mistake the user can fix; `message` is the whole line to print (without the `toxlink: ` prefix). */
export class CliError extends Error {
  override readonly name = 'CliError';
  /** The exit code (1 unless said otherwise). */
  readonly exitCode: number;
  constructor(message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options);
    this.exitCode = options?.exitCode ?? 1;
  }
}

/** What to do about a profile error, by its code. */
const PROFILE_HINTS: Partial<Record<string, string>> = {
  'not-a-profile': 'choose a toxlink profile with --profile, or bring a c-toxcore save with --import-tox',
  'unknown-version': 'upgrade toxlink to read it',
  corrupt: 'restore it from a backup, or choose another with --profile',
  'read-failed': 'check its permissions, or choose another with --profile',
  'write-failed': 'check that its directory is writable and the disk is not full, or choose another with --profile',
  'too-large': 'choose another with --profile',
};

/** What to do about a c-toxcore save that cannot be imported, by its code. */
const TOX_SAVE_HINTS: Partial<Record<string, string>> = {
  encrypted: '',
  'no-keys': 'export the profile again from the client',
};

function withHint(message: string, hint: string | undefined): string {
  return hint === undefined || hint === '' ? message : `${message}; ${hint}`;
}

/** The one line for an error the user can fix, or undefined for a bug. */
export function userMessage(error: unknown): string | undefined {
  if (error instanceof CliError || error instanceof RelayCommandError) return error.message;
  if (error instanceof ProfileError) return withHint(error.message, PROFILE_HINTS[error.code]);
  if (error instanceof ToxSaveError) return withHint(`cannot import the c-toxcore save: ${error.message}`, TOX_SAVE_HINTS[error.code]);
  if (error instanceof ToxIdError) return `bad Tox ID: ${error.message}`;
  if (error instanceof MessengerError) return error.message;
  if (error instanceof BindError) return bindMessage(error, undefined);
  return undefined;
}

/** The line for a port we could not bind: which port, why, and which flag picks another. */
export function bindMessage(error: BindError, flag: string | undefined, what = 'port'): string {
  const where = `${error.address.host}:${error.address.port}`;
  const change = flag === undefined ? '' : ` or choose another with ${flag}`;
  if (error.reason === 'address-in-use') return `${what} ${where} is in use: stop the program using it${change || ', or choose another port'}`;
  if (error.reason === 'address-not-available') return `cannot use ${where}: no such address on this machine; pick another host${change}`;
  return `cannot bind ${what} ${where} (${(error.cause as Error | undefined)?.message ?? error.message})${change}`;
}

/**
 * Prints an error as the command line shows it and sets the exit code: the user's line,
 * or, for a bug, its message and (with `stack`) its stack trace.
 */
export function reportError(error: unknown, print: (line: string) => void, stack: boolean): number {
  const line = userMessage(error);
  if (line !== undefined) {
    print(`toxlink: ${line}`);
    return error instanceof CliError ? error.exitCode : 1;
  }
  const e = error instanceof Error ? error : new Error(String(error));
  print(`toxlink: internal error: ${e.message}${stack ? '' : ' (run with --log-level debug to see where)'}`);
  if (stack && e.stack !== undefined) print(e.stack);
  return 70;
}
