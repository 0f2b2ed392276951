/**
 * A socket's port to its session: the few calls a `ChannelSocket` makes (write, end, read,
 * reset, counters), as a small class holding its channel and its session's
 * {@link PortOps}, so that an open channel costs two fields here rather than an object of
 * five closures.
 *
 * @see spec/mux.md#channelsocket
 * @module
 */
import type { MuxChannel } from './channel.ts';
import type { ChannelPort } from './channel-socket.ts';

/** A session's side of its sockets' ports, one object per session. */
export interface PortOps {
  write(ch: MuxChannel, chunk: Uint8Array, done: (error?: Error | null) => void): void;
  end(ch: MuxChannel, done: (error?: Error | null) => void): void;
  read(ch: MuxChannel): void;
  reset(ch: MuxChannel, error: Error | null): void;
}

/**
 * A socket's port: its channel and its session's {@link PortOps}. A class rather than an
 * object of closures, so that an idle channel costs two fields here, not five closures.
 */
export class SessionPort implements ChannelPort {
  constructor(readonly ops: PortOps, readonly ch: MuxChannel) {}

  write(chunk: Uint8Array, done: (error?: Error | null) => void): void {
    this.ops.write(this.ch, chunk, done);
  }

  end(done: (error?: Error | null) => void): void {
    this.ops.end(this.ch, done);
  }

  read(): void {
    this.ops.read(this.ch);
  }

  reset(error: Error | null): void {
    this.ops.reset(this.ch, error);
  }

  counters(): { sent: number; received: number; window: number } {
    return { sent: this.ch.sent, received: this.ch.received, window: this.ch.window };
  }
}
