/**
 * A relay's table of one client's routes: 240 slots, one per connection id (16–255), each
 * naming a peer key and, once the peer has asked for this client too, the peer's connection
 * and the slot it uses for the route. This is `TCP_Secure_Conn connections[]` of c-toxcore's
 * relay, with its status 1 ("asked for") and 2 ("online").
 *
 * @see spec/relay.md#routing
 * @module
 */
import { toHex } from '../wire/index.ts';
import { NUM_RESERVED_PORTS } from './packet-sizes.ts';

/** One slot in use. `P` is the relay's record of a connected client. */
export interface Route<P> {
  /** The peer's public key. */
  readonly publicKey: Uint8Array;
  /** The same, as hex, for lookups. */
  readonly keyHex: string;
  /** The peer's connection, while the route is online. */
  peer: P | undefined;
  /** The slot index the route has in the peer's table, while online. */
  peerIndex: number;
}

/** The connection id of slot `index` (index + 16). */
export function connectionIdOf(index: number): number {
  return index + NUM_RESERVED_PORTS;
}

/** The slot of connection id `id` (id − 16). */
export function slotOf(id: number): number {
  return id - NUM_RESERVED_PORTS;
}

/** A fixed number of slots; see the module comment. */
export class RouteTable<P> {
  readonly #slots: Array<Route<P> | undefined>;
  #used = 0;

  constructor(readonly capacity: number) {
    this.#slots = new Array<Route<P> | undefined>(capacity).fill(undefined);
  }

  /** Slots in use. */
  get size(): number {
    return this.#used;
  }

  get(index: number): Route<P> | undefined {
    return index >= 0 && index < this.capacity ? this.#slots[index] : undefined;
  }

  /** The slot whose peer has key `keyHex`, or -1. */
  find(keyHex: string): number {
    for (let i = 0; i < this.capacity; i++) if (this.#slots[i]?.keyHex === keyHex) return i;
    return -1;
  }

  /** The first free slot, or -1 when all are used (c-toxcore takes the lowest free one too). */
  firstFree(): number {
    if (this.#used >= this.capacity) return -1;
    for (let i = 0; i < this.capacity; i++) if (this.#slots[i] === undefined) return i;
    return -1;
  }

  /** Puts a route asked for (not online) in slot `index`. */
  add(index: number, publicKey: Uint8Array): Route<P> {
    const route: Route<P> = { publicKey: Uint8Array.from(publicKey), keyHex: toHex(publicKey), peer: undefined, peerIndex: -1 };
    if (this.#slots[index] === undefined) this.#used++;
    this.#slots[index] = route;
    return route;
  }

  /** Frees slot `index`; returns what it held. */
  remove(index: number): Route<P> | undefined {
    const route = this.get(index);
    if (route !== undefined) {
      this.#slots[index] = undefined;
      this.#used--;
    }
    return route;
  }

  /** Every slot in use, with its index. */
  *entries(): IterableIterator<[number, Route<P>]> {
    for (let i = 0; i < this.capacity; i++) {
      const route = this.#slots[i];
      if (route !== undefined) yield [i, route];
    }
  }
}
