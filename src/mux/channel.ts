/**
 * One channel's protocol state, with no stream in it: its phase, its credit both ways, what
 * it has to send and what it has received and not yet handed to its reader. The session
 * drives it; a `ChannelSocket` is the face users see.
 *
 * @see spec/mux.md#channel-states
 * @see spec/mux.md#flow-control
 * @module
 */
import type { ChannelSocket } from './channel-socket.ts';

/** Where a channel stands in the session's table. */
export type ChannelPhase =
  /** We sent REQUEST and wait for ACCEPT or DECLINE. */
  | 'requesting'
  /** We sent REQUEST, then RESET (a timeout, an abort); the id stays taken until the answer comes. */
  | 'withdrawn'
  /** The friend sent REQUEST; our `onChannelRequest` handler decides. */
  | 'deciding'
  /** Accepted: data flows, each way until its EOF, or until a RESET. */
  | 'open'
  /** Out of the table, its id free: both ways ended, reset, declined or the session closed. */
  | 'done';

/**
 * Each block is a Buffer of its own, not a region of a slab shared with other channels: a
 * paused reader's blocks would then keep the slabs under them alive, and what a channel
 * holds would no longer be bounded by its window (the packets' slabs are not kept: every
 * frame is copied out of its packet). A channel's first block is 16 KiB; each block it
 * fills is followed by one twice as large, up to a quarter of its window and at most 64 KiB
 * (so a busy channel allocates a quarter as often: allocating a block costs about what
 * copying a dozen frames into it does).
 */
const BLOCK_SIZE = 16 * 1024;
const MAX_BLOCK_SIZE = 64 * 1024;

/**
 * Room left free at the head of a block, so that the first frame of a packet can be
 * copied as the whole packet from its start without making a view (see `ReceiveQueue.append`).
 */
const HEAD_ROOM = 8;

/** The most bytes past a frame (the packet's later frames) that `ReceiveQueue.append` copies with it rather than make a view. */
const MAX_OVERCOPY = 2048;

/** The bytes before a frame's place, kept while the packet is copied over them. */
const saved = new Uint8Array(HEAD_ROOM);

/** One block of a {@link ReceiveQueue}: its bytes from `start` to `end` wait for the reader. */
interface Block {
  readonly buf: Buffer;
  start: number;
  end: number;
}

/** What a channel has received and its reader has not taken yet: copied into blocks, so many small frames cost little. */
export class ReceiveQueue {
  static readonly BLOCK_SIZE = BLOCK_SIZE;
  static readonly MAX_BLOCK_SIZE = MAX_BLOCK_SIZE;
  readonly #blocks: Block[] = [];
  #bytes = 0;
  /** The size of the next block. */
  #next = BLOCK_SIZE;
  /** The largest block: a quarter of the channel's window, from 16 to 64 KiB. */
  maxBlock = BLOCK_SIZE;

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Copies `length` bytes of `source` from `offset` in (all of it by default). A frame near
   * the start of its packet (`offset` at most 8, the frame header and the packet id) is
   * copied as the packet from its first byte, so that no view has to be made of it: making
   * a view costs more than copying 1368 bytes. The `offset` bytes that this writes before
   * the frame's place are put back at once (they may be bytes the reader holds); what it
   * writes after the frame lies in the block's free room and means nothing.
   */
  append(source: Uint8Array, offset = 0, length = source.length - offset): void {
    if (length <= 0) return;
    const blocks = this.#blocks;
    let tail = blocks[blocks.length - 1];
    if (tail === undefined || tail.buf.length - tail.end < length) tail = this.#grow(tail, length);
    const buf = tail.buf;
    const at = tail.end;
    const after = source.length - offset - length;
    if (offset === 0 && after === 0) buf.set(source, at);
    else if (offset <= HEAD_ROOM && after <= MAX_OVERCOPY && buf.length - at - length >= after) {
      // `at` is at least HEAD_ROOM: a block's bytes start there.
      const from = at - offset;
      for (let i = 0; i < offset; i++) saved[i] = buf[from + i]!;
      buf.set(source, from);
      for (let i = 0; i < offset; i++) buf[from + i] = saved[i]!;
    } else {
      // A view made directly on the buffer: `subarray` costs twice as much.
      buf.set(new Uint8Array(source.buffer, source.byteOffset + offset, length), at);
    }
    tail.end = at + length;
    this.#bytes += length;
  }

  /** A new block at the tail, with room for `length` bytes after its head room. */
  #grow(tail: Block | undefined, length: number): Block {
    // The block before was filled (not left by an empty queue): the channel is busy.
    if (tail !== undefined && this.#next < this.maxBlock) this.#next = Math.min(this.#next * 2, this.maxBlock);
    const buf = Buffer.allocUnsafe(Math.max(this.#next, HEAD_ROOM + length));
    const block = { buf, start: HEAD_ROOM, end: HEAD_ROOM };
    this.#blocks.push(block);
    return block;
  }

  /** Takes the oldest run of bytes (a view whose bytes the queue never changes again), or undefined when empty. */
  take(): Buffer | undefined {
    for (;;) {
      const head = this.#blocks[0];
      if (head === undefined) return undefined;
      const chunk = head.buf.subarray(head.start, head.end);
      const last = this.#blocks.length === 1;
      if (last && head.end < head.buf.length) head.start = head.end;
      else this.#blocks.shift();
      if (chunk.length === 0) {
        if (last) return undefined;
        continue;
      }
      this.#bytes -= chunk.length;
      return chunk;
    }
  }

  /** Forgets everything held. */
  clear(): void {
    this.#blocks.length = 0;
    this.#bytes = 0;
  }
}

/** The largest receive block for a window: a quarter of it, from 16 to 64 KiB. */
function blockFor(window: number): number {
  return Math.max(BLOCK_SIZE, Math.min(MAX_BLOCK_SIZE, window >>> 2));
}

/** Something to call once a write or an end is on the wire (or failed). */
export type Completion = (error?: Error | null) => void;

/** One channel of a session. */
export class MuxChannel {
  /** Where it stands. */
  phase: ChannelPhase;

  // ---- sending: what we may send, what waits ----
  /** The receive window the friend announced: its credit never goes above it. */
  peerWindow = 0;
  /** Bytes we may still send. */
  credit = 0;
  /** Data bytes sent. */
  sent = 0;
  /** The chunk being sent, its next byte and its completion. */
  chunk: Uint8Array | undefined;
  chunkAt = 0;
  chunkDone: Completion | undefined;
  /** `end()` was called: an EOF goes out after the data; `endDone` when it is on the wire. */
  endWanted = false;
  endDone: Completion | undefined;
  /** Our EOF or RESET is on the wire: we send nothing more on this channel. */
  sendEnded = false;

  // ---- receiving: what we granted, what arrived ----
  /** Bytes received. */
  received = 0;
  /** Bytes handed to the reader. */
  consumed = 0;
  /** The friend may send up to this many bytes in all (the sum of the credit we gave). */
  advertised: number;
  /** Received and not yet handed to the reader; at most `window` bytes. */
  readonly queue = new ReceiveQueue();
  /** The friend's EOF or RESET arrived: nothing more comes. */
  receiveEnded = false;
  /** The friend's EOF arrived (as opposed to a RESET). */
  eofReceived = false;
  /** `push(null)` was done. */
  endPushed = false;
  /** The socket asked for data and was not given any yet. */
  wantRead = false;
  /** A pump of the received bytes to the socket is queued (once per batch of frames). */
  pumpQueued = false;

  // ---- the session's bookkeeping ----
  /** The face, once open. */
  socket: ChannelSocket | undefined;
  /** In the session's round of channels with something to send. */
  inRing = false;
  /** A CREDIT message is due. */
  creditDue = false;
  /** Settles an open we started (phase `requesting`). */
  opened: { resolve: (socket: ChannelSocket) => void; reject: (error: Error) => void } | undefined;
  /** Undoes what an open or a decision set up (an abort listener, a timer). */
  cleanup: (() => void) | undefined;

  /**
   * @param id the channel id
   * @param uri its name
   * @param local whether we opened it
   * @param window our receive window for it, at first
   */
  constructor(readonly id: number, readonly uri: string, readonly local: boolean, window: number, phase: ChannelPhase) {
    this.phase = phase;
    this.window = window;
    this.advertised = window;
    // A literal, not a push onto []: the first push would give the array room for 17.
    this.limits = [window];
    this.queue.maxBlock = blockFor(window);
  }

  /** Our receive window: what the friend may have sent that the reader has not taken. It only grows. */
  window: number;

  /** Whether it has data (with credit) or an EOF ready to go. */
  get ready(): boolean {
    if (this.sendEnded || this.phase !== 'open') return false;
    if (this.chunk !== undefined) return this.credit > 0;
    return this.endWanted;
  }

  /** The friend used all the credit it had (since the last grant): it may be waiting for more. */
  starved = false;
  /**
   * The totals we granted that the friend has not reached yet, oldest first (at most about
   * five: grants are a quarter window apart and reach at most a window ahead).
   */
  readonly limits: number[];

  /** Bytes arrived: the friend ran out of credit if they end exactly at a total we granted. */
  arrived(n: number): void {
    this.received += n;
    const limits = this.limits;
    while (limits.length > 0 && limits[0]! < this.received) limits.shift();
    if (limits[0] === this.received) {
      limits.shift();
      this.starved = true;
    }
  }

  /**
   * Whether the window holds the channel back: the friend ran out of credit, and the reader
   * has taken everything, so a larger window would have let more through.
   */
  get windowBound(): boolean {
    return this.starved && this.queue.bytes === 0;
  }

  /** A CREDIT of `owed` went out, with the window now `window`. */
  granted(window: number, owed: number): void {
    if (window !== this.window) this.queue.maxBlock = blockFor(window);
    this.window = window;
    this.advertised += owed;
    this.limits.push(this.advertised);
    this.starved = false;
  }

  /** Credit worth sending now: a quarter window or more taken by the reader since the last grant. */
  get creditOwed(): number {
    if (this.receiveEnded || this.phase !== 'open') return 0;
    const owed = this.consumed + this.window - this.advertised;
    return owed >= Math.max(1, this.window >>> 2) ? owed : 0;
  }

  /** Whether both directions have ended on the wire: the id can be freed. */
  get finished(): boolean {
    return this.sendEnded && this.receiveEnded;
  }

  /** Drops what waits to be sent; returns the completions to fail. */
  discardSend(): Completion[] {
    const done: Completion[] = [];
    if (this.chunkDone !== undefined) done.push(this.chunkDone);
    if (this.endDone !== undefined) done.push(this.endDone);
    this.chunk = undefined;
    this.chunkDone = undefined;
    this.endDone = undefined;
    this.endWanted = false;
    return done;
  }
}
