/**
 * The idle timeout of a forward: the friend connection under it is held while it is in
 * use and let go when no tunnel has carried a byte for `idleTimeoutMs`; the next local
 * connection takes it again. What holding means is the caller's {@link ConnectionHold}
 * (the command line locks the friend in the friend layer, so the session and the search
 * for the friend stop when it is let go). A timer runs on the owner's clock; one check at
 * the end of each quiet period, not one timer per byte.
 *
 * @see spec/mux.md#idle-timeout
 * @module
 */
import type { Clock, Timer } from '../io/index.ts';

/** Holds a friend connection up, and lets it go. */
export interface ConnectionHold {
  /** The connection is needed: bring it up and keep it. Called once per period of use. */
  acquire(): void;
  /** It is not needed any more (each `acquire` is followed by one `release`). */
  release(): void;
}

/** What an {@link IdleHold} asks of its owner. */
export interface IdleHooks {
  /** Whether something is under way that must not be cut (a tunnel still opening). */
  busy(): boolean;
  /** The quiet period is over: close what is open; the hold is released right after. */
  idle(quietMs: number): void;
  /** `acquire` or `release` threw. */
  error(error: Error): void;
}

/** Holds the connection while it is used; see the module comment. */
export class IdleHold {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #hold: ConnectionHold;
  readonly #hooks: IdleHooks;
  #held = false;
  #closed = false;
  #lastUse = 0;
  #timer: Timer | undefined;

  /** `timeoutMs` 0 holds the connection from the first `need` to `close`. */
  constructor(clock: Clock, timeoutMs: number, hold: ConnectionHold, hooks: IdleHooks) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
    this.#hold = hold;
    this.#hooks = hooks;
  }

  /** Whether the connection is held now. */
  get held(): boolean {
    return this.#held;
  }

  /** Bytes moved: the quiet period starts again. Cheap: one clock read. */
  touch(): void {
    this.#lastUse = this.#clock.now();
  }

  /**
   * The connection is needed now (the forward started listening, a local connection came
   * in): acquired if it was let go. Returns whether it was let go before.
   */
  need(): boolean {
    if (this.#closed) return false;
    this.touch();
    const wasIdle = !this.#held;
    if (wasIdle) {
      this.#held = true;
      try {
        this.#hold.acquire();
      } catch (error) {
        this.#hooks.error(error instanceof Error ? error : new Error(String(error)));
      }
    }
    this.#arm(this.#timeoutMs);
    return wasIdle;
  }

  /** Lets go for good (the forward closed). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#release();
  }

  #arm(delayMs: number): void {
    if (this.#timeoutMs === 0 || this.#timer !== undefined || this.#closed) return;
    this.#timer = this.#clock.setTimer(delayMs, () => this.#check());
  }

  #check(): void {
    this.#timer = undefined;
    if (!this.#held || this.#closed) return;
    const now = this.#clock.now();
    if (this.#hooks.busy()) this.#lastUse = now;
    const quiet = now - this.#lastUse;
    if (quiet < this.#timeoutMs) {
      this.#arm(this.#timeoutMs - quiet);
      return;
    }
    this.#hooks.idle(quiet);
    this.#release();
  }

  #release(): void {
    if (!this.#held) return;
    this.#held = false;
    try {
      this.#hold.release();
    } catch (error) {
      this.#hooks.error(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
