/**
 * What a session and its manager say to each other: a friend's request as the
 * `onChannelRequest` handler sees it and the handler's answer, what an open waits within,
 * a channel as status displays see it, and what a session needs of its manager.
 *
 * @see spec/mux.md#sessions
 * @see spec/mux.md#opening-a-channel
 * @module
 */
import type { Clock } from '../io/index.ts';
import type { ChannelPhase } from './channel.ts';
import type { ChannelSocket } from './channel-socket.ts';
import type { MuxConfig } from './config.ts';
import type { MuxError } from './errors.ts';
import type { MuxDropReason } from './stats.ts';

/** A friend's request for a channel, as `onChannelRequest` handlers see it. */
export interface ChannelRequestInfo {
  /** The friend's long-term public key. */
  readonly friendKey: Uint8Array;
  /** The name it asks for. */
  readonly uri: string;
  /** The id it chose. */
  readonly channelId: number;
}

/** A refusal with the reason the friend is told in its DECLINE (cut to `maxReasonBytes`). */
export interface ChannelRefusal {
  readonly reason: string;
}

/** An `onChannelRequest` answer: true accepts; false, or a {@link ChannelRefusal} with a reason, declines. */
export type ChannelVerdict = boolean | ChannelRefusal;

/**
 * What an open waits within: a way to hear the wait end, cheaper than an AbortSignal (an
 * AbortController, and a listener on its signal, cost microseconds per open). A `Deadline`
 * is one; `MuxSession.open` takes an AbortSignal as well.
 */
export interface OpenScope {
  /** The error the wait ended with, once it has; undefined while it goes on. */
  readonly reason: Error | undefined;
  /** Calls `listener` once when the wait ends; returns the function that stops it. */
  onAbort(listener: () => void): () => void;
}

/** An AbortSignal as an {@link OpenScope}. */
export function signalScope(signal: AbortSignal): OpenScope {
  return {
    get reason() {
      return signal.aborted ? (signal.reason as Error) : undefined;
    },
    onAbort(listener) {
      signal.addEventListener('abort', listener, { once: true });
      return () => signal.removeEventListener('abort', listener);
    },
  };
}

/** A channel in the table, for status displays. */
export interface ChannelEntry {
  readonly channelId: number;
  readonly uri: string;
  /** Whether we opened it. */
  readonly initiator: boolean;
  readonly phase: ChannelPhase;
}

/**
 * What a session needs of its manager. Internal: the manager builds it. `S` is the session
 * type (`MuxSession`), a parameter so that this file need not import the session's.
 */
export interface SessionHost<S = unknown> {
  readonly config: MuxConfig;
  readonly clock: Clock;
  /** Asks the user whether to accept; may throw or reject. */
  decide(request: ChannelRequestInfo): ChannelVerdict | Promise<ChannelVerdict>;
  /** A channel the friend asked for is open. */
  opened(socket: ChannelSocket): void;
  /** The friend's VERSION arrived. */
  ready(session: S): void;
  /** The session ended (once); `error` says why. */
  closed(session: S, error: MuxError): void;
  /** Counts a drop (the manager's totals). */
  drop(reason: MuxDropReason): void;
}
