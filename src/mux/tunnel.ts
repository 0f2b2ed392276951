/**
 * One tunnel: a TCP connection joined to a channel, bytes piped both ways with
 * backpressure (a full TCP socket pauses the channel, whose credit then stops the friend's
 * writer; a full channel pauses the TCP socket, whose window then stops its peer). Close
 * rules, each applied once:
 *
 * - TCP FIN → channel EOF (`end()`), channel EOF → TCP FIN: each direction ends on its own;
 * - a TCP error (a reset, EPIPE) → channel RESET with `tcp-reset: CODE`;
 * - the friend's RESET, or the friend connection closing → TCP reset (RST);
 * - `fail()` (a close, a failed open) → both sides reset, with the reason given.
 *
 * A tunnel starts with one side and opens the other (`openChannel` / `openTcp`); the
 * owner's hooks hear when it is joined and, once, when both sides are closed.
 *
 * @see spec/mux.md#half-close-and-reset
 * @see spec/mux.md#tunnel-limits-stats-and-events
 * @module
 */
import type { Socket } from 'node:net';
import type { Clock, Timer } from '../io/index.ts';
import type { ChannelCloseReason, ChannelSocket } from './channel-socket.ts';
import type { MuxError } from './errors.ts';
import { ForwardError } from './forward-errors.ts';
import { errorCode, formatReason, parseReason } from './forward-reasons.ts';

/**
 * How long a TCP socket whose two directions have ended may wait for its 'finish' before
 * it is closed. Node 20 sometimes never completes the shutdown (no 'finish', no 'close')
 * when the peer's FIN arrives while ours is queued; closing the socket then is still
 * graceful, because every byte was handed to the kernel and the peer's were all read.
 */
export const TCP_FINISH_GRACE_MS = 1000;

/** How a tunnel ended. */
export type TunnelCloseCode =
  /** Both directions ended with FIN and EOF, and everything was delivered. */
  | 'end'
  /** The friend declined the channel; `remoteCode` says why (`unknown-service`, `too-many-tunnels`, …). */
  | 'declined'
  /** The channel could not be opened (no friend connection, a timeout, a mux limit); `cause` is the `MuxError`. */
  | 'open-failed'
  /** Our `maxTunnels` tunnels were open already. */
  | 'too-many-tunnels'
  /** Exposer side: the service's target could not be reached, or not in time. */
  | 'connect-failed'
  /** The TCP connection on this side failed (reset by its peer, or another socket error). */
  | 'local-reset'
  /** The friend reset the channel; `remoteCode` says why (`tcp-reset`, `connect-failed`, `closed`, …). */
  | 'remote-reset'
  /** The friend connection under the channel closed, or its channel session ended. */
  | 'connection-closed'
  /** The friend sent beyond its credit on the channel. */
  | 'protocol-error'
  /** The forward or the exposer was closed here. */
  | 'closed'
  /** The forward let the friend connection go: no tunnel had carried a byte for its idle timeout. */
  | 'idle';

/** What a closed tunnel reports. */
export interface TunnelCloseReason {
  readonly code: TunnelCloseCode;
  /** For people. */
  readonly message: string;
  /** The code word of the friend's DECLINE or RESET reason, if it had one (see `parseReason`). */
  readonly remoteCode?: string;
  /** The friend's DECLINE or RESET reason, whole. */
  readonly remoteReason?: string;
  /** The error behind it, if any (a `MuxError` for a failed open, a socket error). */
  readonly cause?: Error;
}

/** Which tunnel: on which side, to which friend, for which service. */
export interface TunnelInfo {
  /** Numbered from 1 by its forward or exposer. */
  readonly id: number;
  /** `forward`: a local TCP client's; `expose`: a friend's, to a service's target. */
  readonly side: 'forward' | 'expose';
  readonly friendKey: Uint8Array;
  /** The service name (the channel is `tcp://` + this). */
  readonly service: string;
}

/** Where a tunnel is in its life. */
export type TunnelState = 'opening' | 'open' | 'closing' | 'closed';

/** A tunnel's counters: bytes each way, and its times on the owner's clock. */
export interface TunnelStats extends TunnelInfo {
  readonly state: TunnelState;
  /** The channel's id, once it has one. */
  readonly channelId: number | undefined;
  /** Bytes read from the TCP connection and handed to the channel. */
  readonly bytesToFriend: number;
  /** Bytes read from the channel and handed to the TCP connection. */
  readonly bytesFromFriend: number;
  readonly openedAt: number;
  readonly closedAt: number | undefined;
}

/** A tunnel that ended, with why: what `tunnel-closed` events carry. */
export interface TunnelClosed {
  readonly tunnel: TunnelStats;
  readonly reason: TunnelCloseReason;
}

/** What a failed open means: the tunnel's reason, and the RESET reason its other side gets. */
export interface OpenFailure {
  readonly reason: TunnelCloseReason;
  readonly wireReason: string;
}

/** What a tunnel tells its owner. */
export interface TunnelHooks {
  /** Both sides are there and bytes flow. */
  joined(tunnel: Tunnel): void;
  /** Both sides are closed (once). */
  closed(tunnel: Tunnel, reason: TunnelCloseReason): void;
  /** Bytes moved one way or the other (called per chunk: keep it cheap). */
  activity?(tunnel: Tunnel): void;
}

/** A TCP connection and a channel, joined. Made by a `PortForward` or an `Exposer`. */
export class Tunnel implements TunnelInfo {
  readonly id: number;
  readonly side: 'forward' | 'expose';
  readonly friendKey: Uint8Array;
  readonly service: string;
  readonly openedAt: number;
  readonly #clock: Clock;
  readonly #hooks: TunnelHooks;
  readonly #abort = new AbortController();
  #tcp: Socket | undefined;
  #tcpClosed = false;
  #tcpError: Error | undefined;
  /** Armed once both TCP directions ended, until 'close'; see {@link TCP_FINISH_GRACE_MS}. */
  #finishTimer: Timer | undefined;
  /** The socket was closed after the grace: its write side counts as finished. */
  #tcpClosedAfterGrace = false;
  #channel: ChannelSocket | undefined;
  #channelClosed = false;
  #channelError: Error | undefined;
  #opening = false;
  #joined = false;
  #failure: TunnelCloseReason | undefined;
  /** The RESET reason the channel gets when the tunnel fails. */
  #wireReason = '';
  #reason: TunnelCloseReason | undefined;
  #closedAt: number | undefined;
  #toFriend = 0;
  #fromFriend = 0;

  constructor(info: TunnelInfo, clock: Clock, hooks: TunnelHooks) {
    this.id = info.id;
    this.side = info.side;
    this.friendKey = Uint8Array.from(info.friendKey);
    this.service = info.service;
    this.#clock = clock;
    this.#hooks = hooks;
    this.openedAt = clock.now();
  }

  /** Fires when the tunnel fails while opening: the owner's open (`connectDevice`, a TCP connect) gives up. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get state(): TunnelState {
    if (this.#reason !== undefined) return 'closed';
    if (this.#failure !== undefined) return 'closing';
    return this.#joined ? 'open' : 'opening';
  }

  /** How it ended, once it has. */
  get closeReason(): TunnelCloseReason | undefined {
    return this.#reason;
  }

  /** The counters now. */
  stats(): TunnelStats {
    return {
      id: this.id, side: this.side, friendKey: Uint8Array.from(this.friendKey), service: this.service, state: this.state,
      channelId: this.#channel?.channelId, bytesToFriend: this.#toFriend, bytesFromFriend: this.#fromFriend,
      openedAt: this.openedAt, closedAt: this.#closedAt,
    };
  }

  /** Gives the tunnel its TCP side (a connected socket, `allowHalfOpen`). */
  attachTcp(socket: Socket): void {
    this.#tcp = socket;
    socket.on('error', (error) => {
      this.#tcpError ??= error;
    });
    socket.on('close', () => {
      this.#tcpClosed = true;
      this.#finishTimer?.cancel();
      this.#finishTimer = undefined;
      this.#onTcpClosed();
    });
  }

  /** Gives the tunnel its channel. */
  attachChannel(channel: ChannelSocket): void {
    this.#channel = channel;
    channel.on('error', (error: Error) => {
      this.#channelError ??= error;
    });
    channel.on('close', () => {
      this.#channelClosed = true;
      this.#onChannelClosed(channel.closeReason);
    });
  }

  /** Waits for the channel the owner is opening; `failed` says what a rejection means. */
  openChannel(opening: Promise<ChannelSocket>, failed: (error: unknown) => OpenFailure): void {
    this.#open(opening, (c) => this.attachChannel(c), failed);
  }

  /** Waits for the TCP connection the owner is opening; `failed` says what a rejection means. */
  openTcp(opening: Promise<Socket>, failed: (error: unknown) => OpenFailure): void {
    this.#open(opening, (s) => this.attachTcp(s), failed);
  }

  /**
   * Ends the tunnel with `reason`: the opening (if any) is aborted, the TCP connection is
   * reset, and the channel is reset with `wireReason` (its RESET reason). Does nothing once
   * the tunnel is failing or closed.
   */
  fail(reason: TunnelCloseReason, wireReason: string): void {
    if (this.#failure !== undefined || this.#reason !== undefined) return;
    this.#failure = reason;
    this.#wireReason = wireReason;
    this.#abort.abort(new ForwardError('closed', `tunnel ${this.id}: ${reason.message}`));
    this.#teardown();
    this.#check();
  }

  #open<T>(opening: Promise<T>, attach: (side: T) => void, failed: (error: unknown) => OpenFailure): void {
    this.#opening = true;
    opening.then(
      (side) => {
        this.#opening = false;
        attach(side);
        if (this.#failure !== undefined) this.#teardown();
        else this.#join();
        this.#check();
      },
      (error: unknown) => {
        this.#opening = false;
        const { reason, wireReason } = failed(error);
        this.fail(reason, wireReason);
        this.#check();
      },
    );
  }

  /** Both sides are here: pipe both ways. */
  #join(): void {
    const tcp = this.#tcp;
    const channel = this.#channel;
    if (tcp === undefined || channel === undefined || this.#joined) return;
    this.#joined = true;
    // TCP → channel; a full channel pauses the TCP reader.
    tcp.on('data', (chunk: Buffer) => {
      if (this.#failure !== undefined) return;
      this.#toFriend += chunk.length;
      this.#hooks.activity?.(this);
      if (!channel.write(chunk)) tcp.pause();
    });
    channel.on('drain', () => {
      if (this.#failure === undefined) tcp.resume();
    });
    tcp.on('end', () => {
      if (this.#failure !== undefined) return;
      channel.end();
      this.#closeTcpWhenEnded(tcp);
    });
    // Channel → TCP; a full TCP socket pauses the channel reader (and so its credit).
    channel.on('data', (chunk: Buffer) => {
      if (this.#failure !== undefined) return;
      this.#fromFriend += chunk.length;
      this.#hooks.activity?.(this);
      if (!tcp.write(chunk, this.#afterTcpWrite)) channel.pause();
    });
    tcp.on('drain', () => {
      if (this.#failure === undefined) channel.resume();
    });
    channel.on('end', () => {
      if (this.#failure !== undefined) return;
      tcp.end();
      this.#closeTcpWhenEnded(tcp);
    });
    tcp.resume();
    this.#hooks.joined(this);
  }

  #onTcpClosed(): void {
    if (this.#failure === undefined) {
      const tcp = this.#tcp!;
      if (this.#tcpError !== undefined) {
        const code = errorCode(this.#tcpError);
        this.fail({ code: 'local-reset', message: `the TCP connection failed: ${code}`, cause: this.#tcpError }, formatReason('tcp-reset', code));
      } else if (!this.#joined || !tcp.readableEnded || !(tcp.writableFinished || this.#tcpClosedAfterGrace)) {
        this.fail({ code: 'local-reset', message: 'the TCP connection closed before both directions ended' }, formatReason('tcp-reset', 'closed'));
      }
    }
    this.#check();
  }

  #onChannelClosed(closed: ChannelCloseReason | undefined): void {
    if (this.#failure === undefined && closed?.code !== 'end') {
      const error = this.#channelError as MuxError | undefined;
      const remote = error?.remoteReason;
      const base = { message: closed?.message ?? 'the channel closed', cause: error };
      switch (closed?.code) {
        case 'reset': {
          const parsed = parseReason(remote ?? '');
          this.fail({ ...base, code: 'remote-reset', remoteReason: remote, remoteCode: parsed.code }, '');
          break;
        }
        case 'protocol-error':
          this.fail({ ...base, code: 'protocol-error' }, '');
          break;
        case 'connection-closed':
        case 'manager-closed':
          this.fail({ ...base, code: 'connection-closed', remoteReason: remote }, '');
          break;
        default:
          this.fail({ ...base, code: 'closed' }, formatReason('closed', 'the channel was destroyed'));
      }
    }
    this.#check();
  }

  /** A write went out: after the last one, the socket may be done both ways. One function for every write. */
  readonly #afterTcpWrite = (): void => {
    const tcp = this.#tcp;
    if (tcp !== undefined && tcp.writableEnded) this.#closeTcpWhenEnded(tcp);
  };

  /**
   * Once the friend's bytes and FIN were all handed to the socket and its peer's FIN came,
   * 'finish' and 'close' normally follow at once; if they have not after
   * {@link TCP_FINISH_GRACE_MS}, the socket is closed (see there).
   */
  #closeTcpWhenEnded(tcp: Socket): void {
    if (this.#finishTimer !== undefined || tcp.destroyed || tcp.writableFinished) return;
    if (!tcp.readableEnded || !tcp.writableEnded || tcp.writableLength !== 0) return;
    this.#finishTimer = this.#clock.setTimer(TCP_FINISH_GRACE_MS, () => {
      this.#finishTimer = undefined;
      if (tcp.destroyed || tcp.writableFinished || this.#failure !== undefined) return;
      this.#tcpClosedAfterGrace = true;
      tcp.destroy();
    });
  }

  /** Resets what is there and not closed yet. */
  #teardown(): void {
    const tcp = this.#tcp;
    this.#finishTimer?.cancel();
    this.#finishTimer = undefined;
    if (tcp !== undefined && !tcp.destroyed) {
      // libuv refuses a reset while a shutdown (our FIN) is pending, and Node then never
      // emits 'close': such a socket is closed instead (its FIN is on the way anyway).
      if (tcp.writableEnded && !tcp.writableFinished) tcp.destroy();
      else tcp.resetAndDestroy();
    }
    const channel = this.#channel;
    if (channel !== undefined && !channel.destroyed) channel.destroy(new Error(this.#wireReason || 'closed'));
  }

  /** Reports the close once nothing is opening and every side there is has closed. */
  #check(): void {
    if (this.#reason !== undefined || this.#opening) return;
    if ((this.#tcp !== undefined && !this.#tcpClosed) || (this.#channel !== undefined && !this.#channelClosed)) return;
    this.#reason = this.#failure ?? { code: 'end', message: 'both directions ended' };
    this.#closedAt = this.#clock.now();
    this.#hooks.closed(this, this.#reason);
  }
}
