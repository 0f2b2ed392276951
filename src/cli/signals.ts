/**
 * How the long-lived commands stop: SIGINT or SIGTERM (or the command's own `quit`) starts
 * a clean stop (save, close, exit 0); a second signal during the stop exits at once with
 * 130 (SIGINT) or 143 (SIGTERM), for a stop that hangs.
 *
 * @see spec/cli.md#toxlink-node
 * @module
 */

/** Why a long-lived command stops. */
export type StopReason = NodeJS.Signals | 'quit' | 'end';

/** A promise of the first stop request, and the way to make one by hand. */
export interface StopRequest {
  readonly stopped: Promise<StopReason>;
  /** Asks for a stop (`quit`, the end of the input). */
  request(reason: StopReason): void;
  /** Stops listening to the signals. */
  dispose(): void;
}

/** Listens for SIGINT and SIGTERM from now on (before anything is printed that a caller might answer with a signal). */
export function listenForStop(): StopRequest {
  let resolve!: (reason: StopReason) => void;
  const stopped = new Promise<StopReason>((r) => (resolve = r));
  let first = true;
  const on = (signal: NodeJS.Signals): void => {
    if (!first) process.exit(signal === 'SIGINT' ? 130 : 143);
    first = false;
    resolve(signal);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    stopped,
    request: (reason) => {
      first = false;
      resolve(reason);
    },
    dispose: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}
