/**
 * The timer queue both clocks share: a binary min-heap ordered by due time, ties broken by
 * the order the timers were set. Cancelling marks an entry dead; dead entries are skipped
 * when they reach the top, and the heap is rebuilt when they outnumber the live ones.
 *
 * @see spec/io.md#the-simulated-clock
 * @module
 */

import type { Timer } from './clock.ts';

/** Rebuild the heap once it holds at least this many dead entries and they are the majority. */
const COMPACT_MIN_DEAD = 1024;

/** One pending timer; `fn` is cleared when the timer fires or is cancelled. */
class QueuedTimer implements Timer {
  fn: (() => void) | undefined;

  constructor(
    readonly due: number,
    readonly seq: number,
    fn: () => void,
    private readonly queue: TimerQueue,
  ) {
    this.fn = fn;
  }

  cancel(): void {
    if (this.fn === undefined) return;
    this.fn = undefined;
    this.queue.noteCancelled();
  }
}

function before(a: QueuedTimer, b: QueuedTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

/** A min-heap of timers keyed by (due, insertion order). */
export class TimerQueue {
  private heap: QueuedTimer[] = [];
  private seq = 0;
  private dead = 0;

  /** `onCancel` runs after a queued timer is cancelled. */
  constructor(private readonly onCancel?: () => void) {}

  /** Live (not fired, not cancelled) timers. */
  get size(): number {
    return this.heap.length - this.dead;
  }

  /** Queues `fn` to run at `due`; the returned handle cancels it. */
  push(due: number, fn: () => void): Timer {
    const timer = new QueuedTimer(due, this.seq++, fn, this);
    this.heap.push(timer);
    this.siftUp(this.heap.length - 1);
    return timer;
  }

  /** The due time of the earliest live timer, or undefined when none is pending. */
  peekDue(): number | undefined {
    this.dropDeadTop();
    return this.heap[0]?.due;
  }

  /**
   * Removes the earliest live timer if it is due at or before `deadline` and returns it
   * with its function (now detached, so cancelling it does nothing); else undefined.
   */
  popDue(deadline: number): { due: number; fn: () => void } | undefined {
    this.dropDeadTop();
    const top = this.heap[0];
    if (top === undefined || top.due > deadline) return undefined;
    const fn = top.fn as () => void;
    top.fn = undefined;
    this.removeTop();
    return { due: top.due, fn };
  }

  /** @internal Called by a timer when it is cancelled while queued. */
  noteCancelled(): void {
    this.dead++;
    if (this.dead >= COMPACT_MIN_DEAD && this.dead * 2 > this.heap.length) this.compact();
    this.onCancel?.();
  }

  private dropDeadTop(): void {
    let top = this.heap[0];
    while (top !== undefined && top.fn === undefined) {
      this.dead--;
      this.removeTop();
      top = this.heap[0];
    }
  }

  private removeTop(): void {
    const last = this.heap.pop();
    if (last === undefined || this.heap.length === 0) return;
    this.heap[0] = last;
    this.siftDown(0);
  }

  private compact(): void {
    this.heap = this.heap.filter((t) => t.fn !== undefined);
    this.dead = 0;
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const item = heap[index] as QueuedTimer;
    let i = index;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex] as QueuedTimer;
      if (!before(item, parent)) break;
      heap[i] = parent;
      i = parentIndex;
    }
    heap[i] = item;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[index] as QueuedTimer;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && before(heap[right] as QueuedTimer, heap[left] as QueuedTimer)) child = right;
      const c = heap[child] as QueuedTimer;
      if (!before(c, item)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = item;
  }
}
