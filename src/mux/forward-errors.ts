/**
 * The typed errors of port forwarding: what an API user can get wrong (a bad service name,
 * a bad target, an option out of range) and what a forward or an exposer can refuse (a
 * closed one, a full tunnel table, a port it could not listen on). What happens to one
 * tunnel is not thrown: it is the tunnel's {@link TunnelCloseReason}.
 *
 * @see spec/mux.md#port-forwarding
 * @module
 */

/** Why an operation of port forwarding failed. */
export type ForwardErrorCode =
  /** A service name that is not 1 to 64 of `A-Z a-z 0-9 . _ ~ -`. */
  | 'bad-name'
  /** A target that is not `HOST:PORT` with a port from 1 to 65535. */
  | 'bad-target'
  /** A friend key that is not 32 bytes. */
  | 'bad-key'
  /** An option outside its range. */
  | 'bad-option'
  /** A service of that name is exposed already. */
  | 'duplicate-service'
  /** The local port could not be listened on (in use, no permission, bad address). */
  | 'listen-failed'
  /** `maxTunnels` tunnels are open already. */
  | 'too-many-tunnels'
  /** The forward or the exposer was closed. */
  | 'closed';

/** An error of port forwarding. `code` is stable; `message` says what happened. */
export class ForwardError extends Error {
  override readonly name: string = 'ForwardError';

  constructor(readonly code: ForwardErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Whether `error` is a {@link ForwardError}, with `code` if given. */
export function isForwardError(error: unknown, code?: ForwardErrorCode): error is ForwardError {
  return error instanceof ForwardError && (code === undefined || error.code === code);
}
