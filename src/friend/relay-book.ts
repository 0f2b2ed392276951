/**
 * The relays remembered for one friend: those it told us about (share-relays packets, its
 * onion announcements) and those we told it about. A bounded ring, newest last, one entry
 * per relay key (c-toxcore's `tcp_relays[FRIEND_MAX_STORED_TCP_RELAYS]`); a new session is
 * given the newest few.
 *
 * @see spec/friend.md#relay-sharing
 * @module
 */
import type { Address } from '../io/index.ts';
import { isLanAddress, isLocalAddress } from '../dht/index.ts';
import type { RelayEndpoint } from '../relay/index.ts';
import { toHex } from '../wire/index.ts';

/** A friend's remembered relays; see the module comment. */
export class RelayBook {
  readonly #capacity: number;
  readonly #entries: RelayEndpoint[] = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Relays held. */
  get size(): number {
    return this.#entries.length;
  }

  /**
   * Remembers a relay as the newest (a relay with the same key moves, with this address);
   * the oldest goes when the book is full. The endpoint is copied.
   */
  add(relay: RelayEndpoint): void {
    const key = toHex(relay.publicKey);
    const at = this.#entries.findIndex((r) => toHex(r.publicKey) === key);
    if (at >= 0) this.#entries.splice(at, 1);
    this.#entries.push({ address: { host: relay.address.host, port: relay.address.port }, publicKey: Uint8Array.from(relay.publicKey) });
    if (this.#entries.length > this.#capacity) this.#entries.shift();
  }

  /** Up to `n` relays, newest first. */
  newest(n: number): RelayEndpoint[] {
    return this.#entries.slice(-n).reverse();
  }

  /** Every relay, oldest first. */
  all(): RelayEndpoint[] {
    return [...this.#entries];
  }
}

/**
 * Where to reach a relay a friend told us about. A loopback address (`ip_is_local`) means
 * "on my machine": it is replaced by the friend's own address, when we know it. A LAN
 * address from a friend we reach at a public address means "on my LAN", which is not ours:
 * it is replaced too, the friend's public address being the best guess. A LAN address
 * from a friend on our LAN is kept, as is any public address. The port is kept.
 */
export function relayAddressFromFriend(relay: Address, friend: Address | undefined): Address {
  if (friend === undefined) return relay;
  const replace = isLocalAddress(relay.host) || (isLanAddress(relay.host) && !isLanAddress(friend.host));
  return replace ? { host: friend.host, port: relay.port } : relay;
}
