/**
 * Service names, the channel names that carry them (`tcp://NAME`), and the `HOST:PORT`
 * targets an exposer maps them to.
 *
 * @see spec/mux.md#service-names-and-the-tcp-scheme
 * @module
 */
import { ForwardError } from './forward-errors.ts';

/** The scheme of a port-forwarding channel name: `tcp://NAME`. */
export const FORWARD_SCHEME = 'tcp://';

/** The longest service name, in characters (all ASCII). */
export const MAX_SERVICE_NAME = 64;

const NAME = /^[A-Za-z0-9._~-]{1,64}$/;

/** Whether `name` is a service name: 1 to 64 of the URI's unreserved characters `A-Z a-z 0-9 . _ ~ -`. */
export function isServiceName(name: unknown): name is string {
  return typeof name === 'string' && NAME.test(name);
}

/** Throws a `bad-name` {@link ForwardError} unless `name` is a service name. */
export function checkServiceName(name: unknown): asserts name is string {
  if (!isServiceName(name)) {
    throw new ForwardError('bad-name', `a service name is 1 to ${MAX_SERVICE_NAME} of A-Z a-z 0-9 . _ ~ -, got ${JSON.stringify(name)}`);
  }
}

/** The channel name that asks for service `name`: `tcp://name`. */
export function serviceUri(name: string): string {
  checkServiceName(name);
  return FORWARD_SCHEME + name;
}

/**
 * What a channel name asks for: `{ name }` for `tcp://NAME` with a valid name, `'bad-uri'`
 * for `tcp://` with anything else, undefined for another scheme (not port forwarding).
 */
export function parseServiceUri(uri: string): { readonly name: string } | 'bad-uri' | undefined {
  if (!uri.startsWith(FORWARD_SCHEME)) return undefined;
  const name = uri.slice(FORWARD_SCHEME.length);
  return isServiceName(name) ? { name } : 'bad-uri';
}

/** Where an exposed service lives. */
export interface ServiceTarget {
  /** A host name or an IP address (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `HOST:PORT` (`127.0.0.1:8080`, `localhost:80`, `[::1]:22`) into a target; throws a
 * `bad-target` {@link ForwardError}.
 */
export function parseTarget(text: string): ServiceTarget {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 1 && port <= 65535)) {
    throw new ForwardError('bad-target', `a target is HOST:PORT (IPv6 in brackets), port 1 to 65535, got ${JSON.stringify(text)}`);
  }
  return checkTarget({ host: (m[1] ?? m[2])!, port });
}

/** Throws a `bad-target` {@link ForwardError} unless `target` has a host and a port from 1 to 65535; returns a copy. */
export function checkTarget(target: ServiceTarget): ServiceTarget {
  const { host, port } = target ?? {};
  if (typeof host !== 'string' || host.length === 0 || host.length > 253 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ForwardError('bad-target', `a target needs a host and a port from 1 to 65535, got ${JSON.stringify(target)}`);
  }
  return { host, port };
}

/** `HOST:PORT`, IPv6 in brackets. */
export function formatTarget(target: ServiceTarget): string {
  return target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}
