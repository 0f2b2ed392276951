/**
 * A channel as a Node Duplex. Writes wait for the friend's credit, so `write()` returns
 * false and 'drain' comes later when the friend's reader is slow; reads return credit as
 * the reader takes bytes. `end()` sends EOF (half-close: the other way stays open),
 * `destroy(err)` sends RESET with `err.message` as the reason, and 'close' carries a
 * {@link ChannelCloseReason}.
 *
 * @see spec/mux.md#channelsocket
 * @module
 */
import { Duplex } from 'node:stream';

/** A write this long or longer is sent as it is, never joined with others (see `ChannelSocket._writev`). */
const JOIN_BELOW = 16 * 1024;

/** Small writes waiting together are joined into pieces of at most this many bytes. */
const JOIN_UP_TO = 64 * 1024;

/** How a channel ended, as 'close' reports it. */
export type ChannelCloseCode =
  /** Both ways ended with EOF, and everything was read. */
  | 'end'
  /** `destroy()` here: RESET went to the friend if the channel was still open. */
  | 'destroyed'
  /** The friend sent RESET. */
  | 'reset'
  /** The friend connection under the channel closed, or the friend's channel layer ended the session (GOAWAY). */
  | 'connection-closed'
  /** The friend broke the protocol on this channel; we reset it. */
  | 'protocol-error'
  /** Our manager was closed, or it ended the session with this friend (`closeConnectionsWith`). */
  | 'manager-closed';

/** What 'close' hands its listeners; also `ChannelSocket.closeReason`. */
export interface ChannelCloseReason {
  readonly code: ChannelCloseCode;
  /** For people: what happened, the friend's reason included. */
  readonly message: string;
}

/** What a socket asks of its session. Internal: the session makes one per channel. */
export interface ChannelPort {
  /** Sends a (non-empty) chunk as the friend's credit allows; `done` once it is all on the wire. */
  write(chunk: Uint8Array, done: (error?: Error | null) => void): void;
  /** Sends EOF after what was written; `done` once it is on the wire. */
  end(done: (error?: Error | null) => void): void;
  /** The reader wants bytes. */
  read(): void;
  /** The socket is being destroyed here: RESET if the channel is still open. */
  reset(error: Error | null): void;
  /** Data bytes sent and received so far, and our receive window now. */
  counters(): { sent: number; received: number; window: number };
}

/** Who, what and which id. */
export interface ChannelSocketInfo {
  /** The friend's long-term public key. */
  readonly friendKey: Uint8Array;
  /** The channel's name, as requested. */
  readonly uri: string;
  /** The channel id on the wire. */
  readonly channelId: number;
  /** Whether we opened it (`connectDevice`) rather than the friend. */
  readonly initiator: boolean;
}

/** One channel to a friend. Made by the `ConnectionManager`; see the module comment. */
export class ChannelSocket extends Duplex implements ChannelSocketInfo {
  readonly friendKey: Uint8Array;
  readonly uri: string;
  readonly channelId: number;
  readonly initiator: boolean;
  readonly #port: ChannelPort;
  #closeReason: ChannelCloseReason | undefined;
  #bySession = false;

  /** @internal Made by the session when a channel opens. */
  constructor(port: ChannelPort, info: ChannelSocketInfo, highWater: { readable: number; writable: number }) {
    super({ allowHalfOpen: true, readableHighWaterMark: highWater.readable, writableHighWaterMark: highWater.writable });
    this.#port = port;
    this.friendKey = info.friendKey;
    this.uri = info.uri;
    this.channelId = info.channelId;
    this.initiator = info.initiator;
  }

  /** How the channel ended, once it has (set before 'close'). */
  get closeReason(): ChannelCloseReason | undefined {
    return this.#closeReason;
  }

  /** Data bytes that went out on the wire so far. */
  get bytesSent(): number {
    return this.#port.counters().sent;
  }

  /** Data bytes that came in from the friend so far. */
  get bytesReceived(): number {
    return this.#port.counters().received;
  }

  /**
   * Writes `chunk` to the friend. Returns false when the writable buffer is full: the
   * friend's credit (its reader) or the connection is the limit; wait for 'drain'. An empty
   * chunk sends nothing.
   */
  override write(chunk: unknown, callback?: (error: Error | null | undefined) => void): boolean;
  /** As above, with the encoding of a string `chunk`. */
  override write(chunk: unknown, encoding?: BufferEncoding, callback?: (error: Error | null | undefined) => void): boolean;
  override write(...args: unknown[]): boolean {
    return (Duplex.prototype.write as (...a: unknown[]) => boolean).apply(this, args);
  }

  /**
   * Ends our direction after what was written, with EOF on the wire (half-close): the
   * friend's direction stays open, and 'finish' comes once the EOF went out.
   */
  override end(callback?: () => void): this;
  /** Writes `chunk` last, then ends our direction as above. */
  override end(chunk: unknown, callback?: () => void): this;
  /** As above, with the encoding of a string `chunk`. */
  override end(chunk: unknown, encoding?: BufferEncoding, callback?: () => void): this;
  override end(...args: unknown[]): this {
    (Duplex.prototype.end as (...a: unknown[]) => unknown).apply(this, args);
    return this;
  }

  /** Our receive window for this channel now, in bytes: the most the friend may have in flight to us unread. */
  get receiveWindow(): number {
    return this.#port.counters().window;
  }

  override _read(): void {
    this.#port.read();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // An empty frame would be EOF: an empty write sends nothing.
    if (chunk.length === 0) {
      callback();
      return;
    }
    this.#port.write(chunk, callback);
  }

  /**
   * Several writes waiting at once (they came while one was on its way): written as one
   * chunk when small, so that a run of small writes fills packets instead of sending a
   * packet each. Writes of `JOIN_BELOW` (16 KiB) bytes or more go as they are; the small ones
   * between them are joined, up to `JOIN_UP_TO` (64 KiB) bytes a piece.
   */
  override _writev(chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>, callback: (error?: Error | null) => void): void {
    const pieces: Uint8Array[] = [];
    let run: Buffer[] = [];
    let runBytes = 0;
    const endRun = (): void => {
      if (run.length === 1) pieces.push(run[0]!);
      else if (run.length > 1) pieces.push(Buffer.concat(run, runBytes));
      run = [];
      runBytes = 0;
    };
    for (const { chunk } of chunks) {
      if (chunk.length === 0) continue;
      if (chunk.length >= JOIN_BELOW) {
        endRun();
        pieces.push(chunk);
        continue;
      }
      if (runBytes + chunk.length > JOIN_UP_TO) endRun();
      run.push(chunk);
      runBytes += chunk.length;
    }
    endRun();
    let next = 0;
    const step = (error?: Error | null): void => {
      if (error) return callback(error);
      if (next === pieces.length) return callback();
      this.#port.write(pieces[next++]!, step);
    };
    step();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#port.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#bySession) {
      this.#closeReason ??= this.readableEnded && this.writableFinished && error === null
        ? { code: 'end', message: 'both ways ended' }
        : { code: 'destroyed', message: error === null ? 'destroyed here' : `destroyed here: ${error.message}` };
      this.#port.reset(error);
    }
    callback(error);
  }

  /**
   * 'close' listeners get the {@link ChannelCloseReason} as their argument.
   *
   * @internal
   */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'close' && args.length === 0) return super.emit('close', this.#closeReason);
    // Every 'data' passes here: one argument, passed on without spreading an array.
    if (args.length === 1) return super.emit(event, args[0]);
    return super.emit(event, ...args);
  }

  /** @internal The session ends the socket: no RESET goes out from here. */
  abort(reason: ChannelCloseReason, error: Error | undefined): void {
    if (this.destroyed) return;
    this.#bySession = true;
    this.#closeReason = reason;
    this.destroy(error);
  }
}
