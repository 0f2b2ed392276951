/**
 * The command's diagnostics: progress and warnings go to stderr, so that stdout holds only
 * what a script reads (the Tox ID, the banner, the JSON lines). `--log-level` chooses how
 * much: `error`, `warn`, `info` (the default) or `debug`.
 *
 * @see spec/cli.md#errors-and-exit-codes
 * @module
 */
import { InvalidArgumentError } from 'commander';

/** How much the command says on stderr. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** Parses `--log-level`. */
export function parseLogLevel(text: string): LogLevel {
  if (!(LEVELS as readonly string[]).includes(text)) throw new InvalidArgumentError(`expected one of ${LEVELS.join(', ')}`);
  return text as LogLevel;
}

/** Lines to stderr (or to `write`), each with the command's name first, up to a level. */
export class Logger {
  readonly level: LogLevel;
  readonly #rank: number;
  readonly #write: (line: string) => void;

  constructor(level: LogLevel = 'info', write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {
    this.level = level;
    this.#rank = LEVELS.indexOf(level);
    this.#write = write;
  }

  #log(level: LogLevel, text: string): void {
    if (LEVELS.indexOf(level) <= this.#rank) this.#write(`toxlink: ${level === 'info' ? '' : `${level}: `}${text}`);
  }

  error(text: string): void {
    this.#log('error', text);
  }

  warn(text: string): void {
    this.#log('warn', text);
  }

  info(text: string): void {
    this.#log('info', text);
  }

  debug(text: string): void {
    this.#log('debug', text);
  }

  /** Whether `debug` lines are printed. */
  get debugging(): boolean {
    return this.level === 'debug';
  }
}
