/**
 * An exposer's allow-list: service name → `HOST:PORT`, each service open to every friend
 * the channel layer talks to or only to the friends listed. A friend reaches a target only
 * through a name in this table; it never names a host or a port itself.
 *
 * @see spec/mux.md#exposing-a-service
 * @module
 */
import { toHex } from '../wire/index.ts';
import { ForwardError } from './forward-errors.ts';
import { checkServiceName, checkTarget, parseTarget, type ServiceTarget } from './forward-uri.ts';

/** A service to expose. */
export interface ServiceSpec {
  /** The name friends ask for (`tcp://NAME`). */
  readonly name: string;
  /** Where it lives: `{host, port}` or `HOST:PORT`. */
  readonly target: ServiceTarget | string;
  /** Only these friends (32-byte long-term keys) may reach it; every friend when absent. */
  readonly friends?: readonly Uint8Array[];
}

/** A service in the table. */
export interface ServiceEntry {
  readonly name: string;
  readonly target: ServiceTarget;
  /** The friends allowed, or undefined for every friend. */
  readonly friends: readonly Uint8Array[] | undefined;
}

interface Row {
  readonly entry: ServiceEntry;
  readonly allowed: ReadonlySet<string> | undefined;
}

/** Service name → target, with a per-friend allow-list. Bounded by `maxServices`. */
export class ServiceTable {
  readonly #rows = new Map<string, Row>();
  readonly #max: number;

  constructor(maxServices: number) {
    this.#max = maxServices;
  }

  /** Adds a service; throws `bad-name`, `bad-target`, `bad-key`, `duplicate-service`, or `bad-option` when full. */
  add(spec: ServiceSpec): ServiceEntry {
    checkServiceName(spec.name);
    const target = typeof spec.target === 'string' ? parseTarget(spec.target) : checkTarget(spec.target);
    if (this.#rows.has(spec.name)) throw new ForwardError('duplicate-service', `a service named "${spec.name}" is exposed already`);
    if (this.#rows.size >= this.#max) throw new ForwardError('bad-option', `${this.#max} services are exposed already (maxServices)`);
    let friends: Uint8Array[] | undefined;
    if (spec.friends !== undefined) {
      friends = spec.friends.map((key) => {
        if (!(key instanceof Uint8Array) || key.length !== 32) throw new ForwardError('bad-key', 'a friend key is 32 bytes');
        return Uint8Array.from(key);
      });
    }
    const entry: ServiceEntry = { name: spec.name, target, friends };
    this.#rows.set(spec.name, { entry, allowed: friends === undefined ? undefined : new Set(friends.map(toHex)) });
    return entry;
  }

  /** Takes a service out; returns whether it was there. Tunnels already open to it stay. */
  remove(name: string): boolean {
    return this.#rows.delete(name);
  }

  /** The service `friendKey` may reach as `name`; undefined if there is none, or it is not for that friend. */
  lookup(name: string, friendKey: Uint8Array): ServiceEntry | undefined {
    const row = this.#rows.get(name);
    if (row === undefined) return undefined;
    return row.allowed === undefined || row.allowed.has(toHex(friendKey)) ? row.entry : undefined;
  }

  /** Every service, in the order added. */
  list(): ServiceEntry[] {
    return [...this.#rows.values()].map((r) => r.entry);
  }

  get size(): number {
    return this.#rows.size;
  }
}
