/**
 * What a relay connection does when its socket will not take more: the send side shared by
 * the server (one per client) and the client. A socket says "full" when `write` returns
 * false (Node: more than 16 KiB wait in its own buffer). From then until it drains, the
 * connection may still write `writeBudgetBytes` (64 KiB) more; past that, data, OOB and
 * onion frames are dropped, as c-toxcore drops them when its socket will not take them
 * (`write_packet_TCP_secure_connection` without `priority`), and control frames (routing
 * responses, notifications, pings, pongs) are sealed and held, in order, until the drain.
 * Held bytes are bounded too: past `maxQueuedBytes` the connection is given up. A slow
 * reader so costs the relay a bounded amount of memory and never holds up anyone else's
 * frames; the budget keeps a socket that reports "full" the moment a large write is queued
 * (and takes it all a moment later) from dropping frames for nothing.
 *
 * Frames sealed while a {@link WriteBatch} is open are written together when it closes:
 * the client opens one around each chunk it reads (and `cork` opens one), so that the frames
 * sent in answer cost one write (one system call), not one each. The relay opens none: it
 * writes each frame on its own, as c-toxcore's relay does, because a c-toxcore client fed
 * batched writes could stop for good (spec/relay.md#write-batching).
 *
 * @see spec/relay.md#slow-readers
 * @see spec/relay.md#write-batching
 * @module
 */
import type { StreamConnection } from '../io/index.ts';
import { MAC_SIZE } from '../crypto/index.ts';
import { FRAME_LENGTH_SIZE } from './packet-sizes.ts';
import type { SecureStream } from './secure-stream.ts';

/**
 * A batch writes a connection's collected frames early once they reach this many bytes
 * (64 KiB), so that a listener that sends until told "full" inside a batch is told in time
 * and what a batch holds stays bounded.
 */
export const BATCH_FLUSH_BYTES = 64 * 1024;

/** What became of a frame. */
export type SendOutcome =
  /** Written to the socket (or held behind other control frames, in order). */
  | 'sent'
  /** Not sent: a data, OOB or onion frame while the socket was full and the write budget spent. */
  | 'dropped'
  /** Not sent: holding it would pass the bound; the owner must close the connection. */
  | 'overflow'
  /** The connection is gone. */
  | 'closed';

/**
 * A scope in which frames are collected per connection and written together when it
 * closes. Scopes nest; the outermost `end` writes. What a batch collects is bounded by what
 * is sent while it is open: the client opens one per chunk read, so by a chunk's worth.
 */
export class WriteBatch {
  #depth = 0;
  readonly #senders = new Set<FrameSender>();

  /** Whether a batch is open. */
  get open(): boolean {
    return this.#depth > 0;
  }

  begin(): void {
    this.#depth++;
  }

  /** Closes the scope; the outermost one writes what every connection collected. */
  end(): void {
    if (--this.#depth > 0) return;
    while (this.#senders.size > 0) {
      const senders = [...this.#senders];
      this.#senders.clear();
      for (const sender of senders) sender.flush();
    }
  }

  /** @internal A sender with frames to write at the end. */
  enlist(sender: FrameSender): void {
    this.#senders.add(sender);
  }
}

/** The send side of one relay connection; see the module comment. */
export class FrameSender {
  readonly #conn: StreamConnection;
  readonly #stream: SecureStream;
  readonly #maxQueuedBytes: number;
  readonly #writeBudget: number;
  readonly #batch: WriteBatch | undefined;
  /** The socket said full and has not drained since. */
  #full = false;
  /** Bytes written since it said full. */
  #overBytes = 0;
  /** Past the budget: frames are held (control) or dropped (data) until the drain. */
  #blocked = false;
  #closed = false;
  readonly #held: Uint8Array[] = [];
  #heldBytes = 0;
  readonly #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #onDrain: (() => void) | undefined;

  /**
   * `onDrain` runs when a full socket has taken everything held and can take more; with
   * `batch`, frames sent while it is open are written when it closes.
   */
  constructor(
    conn: StreamConnection, stream: SecureStream, limits: { maxQueuedBytes: number; writeBudgetBytes: number },
    onDrain?: () => void, batch?: WriteBatch,
  ) {
    this.#conn = conn;
    this.#stream = stream;
    this.#maxQueuedBytes = limits.maxQueuedBytes;
    this.#writeBudget = limits.writeBudgetBytes;
    this.#onDrain = onDrain;
    this.#batch = batch;
    conn.onDrain(() => this.#drain());
  }

  /** Whether a data frame sent now would go out (the socket has not said full, or the budget is not spent). */
  get writable(): boolean {
    return !this.#closed && !this.#blocked && !(this.#full && this.#overBytes >= this.#writeBudget);
  }

  /** Bytes of control frames held for the socket. */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Writes bytes that are not frames (a handshake), before any frame. */
  writeRaw(bytes: Uint8Array): SendOutcome {
    return this.#write(bytes);
  }

  /**
   * Seals and sends one frame. `control` frames are held while the socket is full; others
   * are dropped then.
   */
  send(plain: Uint8Array, control: boolean): SendOutcome {
    if (this.#closed) return 'closed';
    if (this.#full && !this.#blocked && this.#overBytes + frameSize(plain) > this.#writeBudget) this.#blocked = true;
    if (!this.#blocked) {
      const frame = this.#stream.seal(plain);
      if (this.#full) this.#overBytes += frame.length;
      if (this.#batch?.open !== true) return this.#write(frame);
      if (this.#pending.length === 0) this.#batch.enlist(this);
      this.#pending.push(frame);
      this.#pendingBytes += frame.length;
      if (this.#pendingBytes >= BATCH_FLUSH_BYTES) this.flush();
      return 'sent';
    }
    if (!control) return 'dropped';
    const frame = this.#stream.seal(plain);
    if (this.#heldBytes + frame.length > this.#maxQueuedBytes) return 'overflow';
    this.#held.push(frame);
    this.#heldBytes += frame.length;
    return 'sent';
  }

  /** Writes the frames collected by a batch, in one write. */
  flush(): void {
    if (this.#pending.length === 0) return;
    let bytes: Uint8Array;
    if (this.#pending.length === 1) {
      bytes = this.#pending[0]!;
    } else {
      bytes = new Uint8Array(this.#pendingBytes);
      let offset = 0;
      for (const frame of this.#pending) {
        bytes.set(frame, offset);
        offset += frame.length;
      }
    }
    this.#pending.length = 0;
    this.#pendingBytes = 0;
    if (!this.#closed) this.#write(bytes);
  }

  /** Stops sending; what is held or collected is forgotten. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#held.length = 0;
    this.#heldBytes = 0;
    this.#pending.length = 0;
    this.#pendingBytes = 0;
    this.#onDrain = undefined;
  }

  #write(bytes: Uint8Array): SendOutcome {
    try {
      if (!this.#conn.write(bytes)) this.#full = true;
      return 'sent';
    } catch {
      this.#closed = true;
      return 'closed';
    }
  }

  #drain(): void {
    if (this.#closed) return;
    this.flush();
    const wasBlocked = this.#blocked;
    this.#full = false;
    this.#overBytes = 0;
    this.#blocked = false;
    while (this.#held.length > 0 && !this.#closed) {
      const frame = this.#held.shift()!;
      this.#heldBytes -= frame.length;
      if (this.#write(frame) === 'closed') return;
      if (this.#full) this.#overBytes += frame.length;
    }
    if (wasBlocked && !this.#blocked) this.#onDrain?.();
  }
}

/** The bytes a frame of `plain` takes on the wire: length, MAC, plaintext. */
function frameSize(plain: Uint8Array): number {
  return FRAME_LENGTH_SIZE + MAC_SIZE + plain.length;
}
