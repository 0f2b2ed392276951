/**
 * The reasons port forwarding puts on the wire, in a DECLINE (a refused channel) or a
 * RESET (a tunnel that failed): `code: detail`, the code a stable word a program can
 * branch on, the detail for people. {@link parseReason} reads one back.
 *
 * @see spec/mux.md#reasons
 * @module
 */

/** Why an exposer declined a channel (the first word of the DECLINE reason). */
export type RefusalCode =
  /** No service of that name is exposed to this friend (or at all: the friend cannot tell). */
  | 'unknown-service'
  /** `tcp://` with something that is not a service name. */
  | 'bad-uri'
  /** The exposer has `maxTunnels` tunnels open. */
  | 'too-many-tunnels';

/** Why a side reset a tunnel's channel (the first word of the RESET reason). */
export type ResetCode =
  /** The exposer could not connect to the service's target (the detail is the error code, such as ECONNREFUSED). */
  | 'connect-failed'
  /** The exposer's connect to the target took longer than its `connectTimeoutMs`. */
  | 'connect-timeout'
  /** The sender's TCP connection failed: reset by its peer, or another socket error (the detail is its code). */
  | 'tcp-reset'
  /** The sender's forward or exposer was closed. */
  | 'closed'
  /** The sender's forward let the friend connection go after its idle timeout. */
  | 'idle';

/** A reason as the wire carries it: `code: detail`. */
export function formatReason(code: RefusalCode | ResetCode, detail: string): string {
  return detail.length === 0 ? code : `${code}: ${detail}`;
}

/** A reason read back: `code` is undefined when the text does not start with a code word. */
export interface ParsedReason {
  readonly code: string | undefined;
  readonly detail: string;
}

/** Splits `code: detail`; text from a friend that does not follow it is all detail. */
export function parseReason(text: string): ParsedReason {
  const m = /^([a-z][a-z0-9-]{0,31})(?::\s?([\s\S]*))?$/.exec(text);
  return m === null ? { code: undefined, detail: text } : { code: m[1], detail: m[2] ?? '' };
}

/** The code of a Node socket error (`ECONNREFUSED`), or its message. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.length > 0) return code;
  return error instanceof Error ? error.message : String(error);
}
