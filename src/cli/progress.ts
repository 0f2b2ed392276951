/**
 * Progress bars for the command line, one line per item. On a terminal the bars are drawn
 * in place (the cursor moves back up over them at each `render`); elsewhere (a pipe, a
 * file, a test) each item prints a plain line as it passes each quarter, so a log stays
 * short and readable.
 *
 * @see spec/cli.md#toxlink-demo
 * @module
 */

/** Where bars go: a `process.stdout`, or anything with `write`. */
export interface ProgressOutput {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/** One item of a {@link ProgressBars}. */
export interface ProgressItem {
  readonly label: string;
  /** Its size in bytes (more than 0). */
  readonly total: number;
}

const MIB = 1024 * 1024;
/** A plain line is printed as an item passes each of these fractions. */
const STEPS = [0.25, 0.5, 0.75, 1];
/** On a terminal, `set` redraws at most this often (real ms). */
const REDRAW_MS = 100;

/** Bytes as MiB with one decimal (KiB below one MiB). */
export function formatBytes(bytes: number): string {
  return bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** A rate in bytes per second as MiB/s. */
export function formatRate(bytesPerSecond: number): string {
  return `${(bytesPerSecond / MIB).toFixed(2)} MiB/s`;
}

/** Bars for a few items; see the module comment. */
export class ProgressBars {
  readonly #out: ProgressOutput;
  readonly #items: readonly ProgressItem[];
  readonly #done: number[];
  readonly #stepsShown: number[];
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #labelWidth: number;
  #drawn = false;
  #drawnAt = 0;

  /** `now` is a clock in ms, for the rates shown. */
  constructor(out: ProgressOutput, items: readonly ProgressItem[], now: () => number) {
    this.#out = out;
    this.#items = items;
    this.#done = items.map(() => 0);
    this.#stepsShown = items.map(() => 0);
    this.#now = now;
    this.#startedAt = now();
    this.#labelWidth = Math.max(...items.map((i) => i.label.length));
  }

  /** Whether bars are drawn in place (a terminal). */
  get live(): boolean {
    return this.#out.isTTY === true;
  }

  /**
   * Sets how many bytes of item `index` are done. On a terminal it redraws, at most every
   * 100 ms; elsewhere it prints a line at each quarter passed.
   */
  set(index: number, done: number): void {
    const item = this.#items[index];
    if (item === undefined) return;
    this.#done[index] = Math.min(done, item.total);
    if (this.live) {
      if (performance.now() - this.#drawnAt >= REDRAW_MS) this.render();
      return;
    }
    while (this.#stepsShown[index]! < STEPS.length && this.#done[index]! >= STEPS[this.#stepsShown[index]!]! * item.total) {
      this.#stepsShown[index]!++;
      this.#out.write(`${this.#line(index, 0)}\n`);
    }
  }

  /** On a terminal, draws every bar over the last drawing. Does nothing elsewhere. */
  render(): void {
    if (!this.live) return;
    const width = Math.max(10, Math.min(40, (this.#out.columns ?? 80) - this.#labelWidth - 45));
    const lines = this.#items.map((_, i) => `\r\x1b[2K${this.#line(i, width)}`);
    this.#out.write(`${this.#drawn ? `\x1b[${this.#items.length}A` : ''}${lines.join('\n')}\n`);
    this.#drawn = true;
    this.#drawnAt = performance.now();
  }

  /** One item's line: label, bar (if `width` > 0), percent, bytes, rate. */
  #line(index: number, width: number): string {
    const item = this.#items[index]!;
    const done = this.#done[index]!;
    const fraction = done / item.total;
    const seconds = (this.#now() - this.#startedAt) / 1000;
    const rate = seconds > 0 ? formatRate(done / seconds) : '';
    const filled = Math.round(fraction * width);
    const bar = width > 0 ? ` [${'█'.repeat(filled)}${'░'.repeat(width - filled)}]` : '';
    const percent = `${Math.floor(fraction * 100)}`.padStart(3);
    return `${item.label.padEnd(this.#labelWidth)}${bar} ${percent} %  ${formatBytes(done)} of ${formatBytes(item.total)}  ${rate}`.trimEnd();
  }
}
