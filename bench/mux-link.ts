/**
 * The in-memory link every multiplexer in bench/mux.ts runs over, and its faces: a
 * toxlink `MuxCarrier`, a framed stream for protomux, a Node Duplex for multiplex, and a
 * libp2p duplex (source and sink) for yamux. One link, one behaviour for all of them:
 *
 * - `send(chunk)` queues a chunk (ownership passes, no copy) and returns false once the
 *   queued bytes reach `highWater`; 'drain' comes when the queue is below it again.
 * - Chunks reach the other end in order, chunk boundaries kept, in one batch per
 *   `setImmediate` turn: each hop costs an event-loop turn, as a real link costs a syscall.
 * - The receiving end may refuse more (its handler returns false): delivery stops until it
 *   calls `resume()`, the queue fills, and the sender is told to wait. So a receiver that
 *   stops reading stalls the link, as TCP would.
 *
 * @module
 */
import { Duplex } from 'node:stream';
import { EventEmitter } from 'node:events';
import type { MuxCarrier, MuxCarrierEvents } from '../src/mux/index.ts';

/** The bytes in flight one way before `send` says wait (256 KiB). */
export const LINK_HIGH_WATER = 256 * 1024;

/** One end of a link. */
export class LinkEnd {
  peer!: LinkEnd;
  /** Bytes this end sent, in all. */
  bytesSent = 0;
  /** Chunks this end sent, in all. */
  chunksSent = 0;
  #queue: Uint8Array[] = [];
  #head = 0;
  #queued = 0;
  #scheduled = false;
  #wantDrain = false;
  #accepting = true;
  #closed = false;
  #receiver: (chunk: Uint8Array) => boolean = () => true;
  #onDrain: () => void = () => {};
  #onClose: () => void = () => {};

  constructor(readonly highWater = LINK_HIGH_WATER) {}

  /** Where chunks from the peer go; false stops delivery until `resume()`. */
  onReceive(receiver: (chunk: Uint8Array) => boolean): void {
    this.#receiver = receiver;
  }

  onDrain(listener: () => void): void {
    this.#onDrain = listener;
  }

  onClose(listener: () => void): void {
    this.#onClose = listener;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Queues `chunk` for the peer; false when the queue is at the high-water mark. */
  send(chunk: Uint8Array): boolean {
    if (this.#closed) return false;
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    this.bytesSent += chunk.length;
    this.chunksSent++;
    this.#schedule();
    if (this.#queued < this.highWater) return true;
    this.#wantDrain = true;
    return false;
  }

  /** The receiving side takes chunks again. */
  resume(): void {
    if (this.#accepting) return;
    this.#accepting = true;
    this.peer.#schedule();
  }

  /** Closes both ends (at once: nothing in flight is delivered). */
  close(): void {
    for (const end of [this, this.peer]) {
      if (end.#closed) continue;
      end.#closed = true;
      end.#queue = [];
      end.#head = 0;
      end.#queued = 0;
      end.#onClose();
    }
  }

  #schedule(): void {
    if (this.#scheduled || !this.peer.#accepting) return;
    this.#scheduled = true;
    setImmediate(() => this.#deliver());
  }

  #deliver(): void {
    this.#scheduled = false;
    const peer = this.peer;
    while (this.#head < this.#queue.length && peer.#accepting && !this.#closed) {
      const chunk = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as unknown as Uint8Array;
      this.#queued -= chunk.length;
      if (!peer.#receiver(chunk)) peer.#accepting = false;
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (this.#wantDrain && this.#queued < this.highWater && !this.#closed) {
      this.#wantDrain = false;
      this.#onDrain();
    }
  }
}

/** Two joined ends. */
export function linkPair(highWater = LINK_HIGH_WATER): [LinkEnd, LinkEnd] {
  const a = new LinkEnd(highWater);
  const b = new LinkEnd(highWater);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** A toxlink carrier on a link end: each packet one chunk. */
export class LinkCarrier implements MuxCarrier {
  readonly #l: { [K in keyof MuxCarrierEvents]: Array<(v: MuxCarrierEvents[K]) => void> } = { packet: [], drain: [], closed: [] };

  constructor(readonly friendKey: Uint8Array, readonly link: LinkEnd) {
    link.onReceive((chunk) => {
      for (const l of this.#l.packet) l(chunk);
      return true;
    });
    link.onDrain(() => {
      for (const l of this.#l.drain) l(undefined);
    });
    link.onClose(() => {
      for (const l of [...this.#l.closed]) l('link closed');
    });
  }

  get closed(): boolean {
    return this.link.closed;
  }

  send(packet: Uint8Array): boolean {
    if (this.link.closed) throw new Error('link closed');
    return this.link.send(packet);
  }

  on<K extends keyof MuxCarrierEvents>(event: K, listener: (value: MuxCarrierEvents[K]) => void): () => void {
    const list = this.#l[event] as Array<(v: MuxCarrierEvents[K]) => void>;
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }
}

/**
 * A framed stream for protomux on a link end: `write(buf)` sends one message as one
 * chunk, and each chunk that arrives is one 'data' event. `pause()` stops delivery.
 */
export class FramedLinkStream extends EventEmitter {
  userData: unknown = null;
  destroyed = false;
  #paused = false;

  constructor(readonly link: LinkEnd) {
    super();
    link.onReceive((chunk) => {
      this.emit('data', chunk);
      return !this.#paused;
    });
    link.onDrain(() => this.emit('drain'));
    link.onClose(() => this.destroy());
  }

  write(buffer: Uint8Array): boolean {
    return this.link.send(buffer);
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.link.resume();
  }

  end(): void {
    this.destroy();
  }

  destroy(error?: Error): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.link.close();
    if (error !== undefined) this.emit('error', error);
    this.emit('close');
  }
}

/** A Node Duplex on a link end (for multiplex): writes wait for the link's drain; reads stop the link when the buffer is full. */
export class LinkDuplex extends Duplex {
  #waiting: (() => void) | undefined;

  constructor(readonly link: LinkEnd) {
    super({ highWaterMark: 64 * 1024 });
    link.onReceive((chunk) => this.push(chunk));
    link.onDrain(() => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.();
    });
    link.onClose(() => this.destroy());
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.link.send(chunk)) callback();
    else this.#waiting = () => callback();
  }

  override _read(): void {
    this.link.resume();
  }
}

/**
 * A libp2p duplex on a link end (for yamux): `sink` sends what the muxer yields, each
 * buffer of a list as its own chunk (no copy); `source` yields what arrives, and stops the
 * link while `highWater` bytes wait to be read.
 */
export function libp2pDuplex(end: LinkEnd): {
  source: AsyncGenerator<Uint8Array>;
  sink: (source: AsyncIterable<Uint8Array | { [Symbol.iterator](): Iterator<Uint8Array> }>) => Promise<void>;
} {
  const waiting: Uint8Array[] = [];
  let head = 0;
  let bytes = 0;
  let wake: (() => void) | undefined;
  let stalled = false;
  end.onReceive((chunk) => {
    waiting.push(chunk);
    bytes += chunk.length;
    wake?.();
    wake = undefined;
    if (bytes < end.highWater) return true;
    stalled = true;
    return false;
  });
  let drained: (() => void) | undefined;
  end.onDrain(() => {
    const d = drained;
    drained = undefined;
    d?.();
  });
  end.onClose(() => {
    wake?.();
    wake = undefined;
    drained?.();
    drained = undefined;
  });
  async function* source(): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (head < waiting.length) {
        const chunk = waiting[head]!;
        waiting[head++] = undefined as unknown as Uint8Array;
        if (head === waiting.length) {
          waiting.length = 0;
          head = 0;
        }
        bytes -= chunk.length;
        if (stalled && bytes < end.highWater / 2) {
          stalled = false;
          end.resume();
        }
        yield chunk;
      } else if (end.closed) {
        return;
      } else {
        await new Promise<void>((resolve) => { wake = resolve; });
      }
    }
  }
  const sink = async (input: AsyncIterable<Uint8Array | { [Symbol.iterator](): Iterator<Uint8Array> }>): Promise<void> => {
    for await (const item of input) {
      if (end.closed) return;
      let more = true;
      if (item instanceof Uint8Array) more = end.send(item);
      else for (const buf of item) more = end.send(buf);
      if (!more) await new Promise<void>((resolve) => { drained = resolve; });
    }
  };
  return { source: source(), sink };
}
