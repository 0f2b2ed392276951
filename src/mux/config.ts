/**
 * Every limit and timer of the channel layer in one place, checked at construction.
 *
 * @see spec/mux.md#bounds
 * @module
 */
import { MuxError } from './errors.ts';

/** The settings of a `ConnectionManager` and its sessions. */
export interface MuxConfig {
  /**
   * The receive window of each channel (256 KiB): the credit we grant the friend at open,
   * and the most it may have sent that our reader has not taken. With the readable
   * high-water mark it bounds what one channel holds in memory.
   */
  readonly windowBytes: number;
  /** The largest window a channel may be opened with (16 MiB). */
  readonly maxWindowBytes: number;
  /**
   * A window grows, doubling, up to this (4 MiB) while it is what holds a channel back: the
   * friend used all its credit and our reader took it all. A reader that stops never grows
   * it. At most `maxWindowBytes`; at or below `windowBytes`, windows keep their size.
   */
  readonly autoWindowBytes: number;
  /** A `ChannelSocket`'s readable high-water mark, bytes (16 KiB). */
  readonly readableHighWaterMark: number;
  /** A `ChannelSocket`'s writable high-water mark, bytes (64 KiB). */
  readonly writableHighWaterMark: number;
  /** Channels with one friend at once, in any state and both directions (1024). */
  readonly maxChannels: number;
  /** Our opens to one friend waiting for its connection or its answer (64). */
  readonly maxPendingOpens: number;
  /** The friend's requests waiting for our `onChannelRequest` handler (64). */
  readonly maxPendingAccepts: number;
  /** The longest channel name, in UTF-8 bytes (1024). */
  readonly maxUriBytes: number;
  /** The longest DECLINE / RESET / GOAWAY reason sent, in UTF-8 bytes (256); longer ones are cut. */
  readonly maxReasonBytes: number;
  /** Control messages queued to one friend before its requests are dropped unanswered (4096). */
  readonly maxControlBacklog: number;
  /** Packets kept from a friend while `onConnectionRequest` decides (64); more are dropped. */
  readonly maxEarlyPackets: number;
  /** Friend connections attached at once (1024). */
  readonly maxConnections: number;
  /** How long `connectDevice` waits, connection and answer together, by default (30 s). */
  readonly connectTimeoutMs: number;
  /** How long an `onChannelRequest` handler may take before the request is declined (30 s). */
  readonly acceptTimeoutMs: number;
}

/** The defaults. */
export const defaultMuxConfig: Readonly<MuxConfig> = Object.freeze({
  windowBytes: 256 * 1024,
  maxWindowBytes: 16 * 1024 * 1024,
  autoWindowBytes: 4 * 1024 * 1024,
  readableHighWaterMark: 16 * 1024,
  writableHighWaterMark: 64 * 1024,
  maxChannels: 1024,
  maxPendingOpens: 64,
  maxPendingAccepts: 64,
  maxUriBytes: 1024,
  maxReasonBytes: 256,
  maxControlBacklog: 4096,
  maxEarlyPackets: 64,
  maxConnections: 1024,
  connectTimeoutMs: 30_000,
  acceptTimeoutMs: 30_000,
});

/** Fills in the defaults and checks every value; throws a `bad-option` {@link MuxError} naming the bad one. */
export function muxConfig(partial: Partial<MuxConfig> = {}): MuxConfig {
  const c: MuxConfig = { ...defaultMuxConfig, ...partial };
  const check = (field: keyof MuxConfig, min: number, max: number): void => {
    const v = c[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new MuxError('bad-option', `mux config: ${field} must be an integer from ${min} to ${max}, got ${String(v)}`);
    }
  };
  check('maxWindowBytes', 4096, 0xffffffff);
  check('windowBytes', 4096, c.maxWindowBytes);
  check('autoWindowBytes', 0, c.maxWindowBytes);
  check('readableHighWaterMark', 1024, 64 * 1024 * 1024);
  check('writableHighWaterMark', 1024, 64 * 1024 * 1024);
  check('maxChannels', 1, 65534);
  check('maxPendingOpens', 1, 32767);
  check('maxPendingAccepts', 1, 32767);
  // A REQUEST carries the name in one control frame: 1024 leaves room for the other fields.
  check('maxUriBytes', 1, 1024);
  check('maxReasonBytes', 0, 256);
  check('maxControlBacklog', 16, 1 << 20);
  check('maxEarlyPackets', 0, 4096);
  check('maxConnections', 1, 1 << 20);
  check('connectTimeoutMs', 1, 24 * 3600_000);
  check('acceptTimeoutMs', 1, 24 * 3600_000);
  return c;
}
