/**
 * The typed errors of the channel layer: what an API user can get wrong (a bad URI, too
 * many channels), what the friend can answer (decline, reset), and what the connection
 * underneath can do (close). Network input never throws one into the event loop: a bad
 * frame is dropped and counted; a reset or a lost connection reaches the user as the
 * error a `ChannelSocket` is destroyed with, or a rejected `connectDevice`.
 *
 * @see spec/mux.md#errors
 * @module
 */
/** Why an operation of the channel layer failed. */
export type MuxErrorCode =
  /** A friend key that is not 32 bytes. */
  | 'bad-key'
  /** A channel name that is not a non-empty string. */
  | 'bad-uri'
  /** A channel name longer than `maxUriBytes` (UTF-8). */
  | 'uri-too-long'
  /** An option outside its range (a window, a timeout). */
  | 'bad-option'
  /** The friend has `maxChannels` channels with us (open, opening or closing). */
  | 'too-many-channels'
  /** `maxPendingOpens` opens to this friend are already waiting for an answer. */
  | 'too-many-pending'
  /** `maxConnections` friends are attached already. */
  | 'too-many-connections'
  /** Every channel id of our parity is in use. */
  | 'no-free-id'
  /** The friend answered DECLINE (or a state this version does not know). */
  | 'declined'
  /** The friend's channel layer refused our connection (its `onConnectionRequest` said no). */
  | 'refused'
  /** No answer in time (`connectTimeoutMs` or the call's `timeoutMs`). */
  | 'timeout'
  /** The call's AbortSignal fired. */
  | 'aborted'
  /** The connector could not bring the friend connection up. */
  | 'connect-failed'
  /** The friend connection under the channels closed. */
  | 'connection-closed'
  /** The friend reset the channel (RESET on the wire, with its reason). */
  | 'reset'
  /** The friend broke the protocol on this channel (it sent beyond its credit). */
  | 'protocol-error'
  /** The `ConnectionManager` was closed, or this friend's connections with it. */
  | 'manager-closed';

/** An error of the channel layer. `code` is stable; `message` says what happened and what to do. */
export class MuxError extends Error {
  override readonly name: string = 'MuxError';
  /** The friend's own words, for `declined`, `refused`, `reset` and a remote `connection-closed`. */
  readonly remoteReason: string | undefined;

  constructor(readonly code: MuxErrorCode, message: string, remoteReason?: string) {
    super(message);
    this.remoteReason = remoteReason;
  }
}

/** Whether `error` is a {@link MuxError}, with `code` if given. */
export function isMuxError(error: unknown, code?: MuxErrorCode): error is MuxError {
  return error instanceof MuxError && (code === undefined || error.code === code);
}
