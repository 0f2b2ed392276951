/**
 * The Messenger's friends (c-toxcore's `Friend` array): one record per friend, numbered as
 * c-toxcore numbers them (a new friend takes the lowest free number), and the short memory
 * of keys whose friend request we saw. Internal state only: the logic is in the Messenger.
 *
 * @see spec/messenger.md#the-friend-list
 * @see spec/messenger.md#friend-requests-we-receive
 * @module
 */
import type { Timer } from '../io/index.ts';
import type { CryptoConnection } from '../netcrypto/index.ts';
import type { RelayEndpoint } from '../relay/index.ts';
import { toHex } from '../wire/index.ts';
import type { ConnectionStatus } from './events.ts';
import type { UserStatus } from './tox-save.ts';

/** Our friend request to a friend that has not come online yet (`FRIEND_ADDED`, `FRIEND_REQUESTED`). */
export interface OutgoingRequest {
  readonly message: Uint8Array;
  /** The nospam of the friend's Tox ID (`friendrequest_nospam`). */
  nospam: number;
  /** `added`: to be sent; `requested`: sent, waiting for the friend (`friendrequest_lastsent`). */
  state: 'added' | 'requested';
  /** Whether it went out at least once. */
  sent: boolean;
  lastSentAt: number;
  /** The wait after a send before sending again (`friendrequest_timeout`), doubling. */
  timeoutMs: number;
}

/** A message awaiting its receipt: the lossless packet number it went out as. */
export interface PendingReceipt {
  readonly packetNumber: number;
  readonly messageId: number;
}

/** @internal One friend of the Messenger. */
export interface MessengerFriend {
  readonly number: number;
  readonly publicKey: Uint8Array;
  readonly keyHex: string;
  /** Present until the friend first comes online. */
  request: OutgoingRequest | undefined;
  /** `FRIEND_ONLINE`: the friend's online packet arrived and its session is up. */
  online: boolean;
  /** What was last reported as the friend's connection (`last_connection_udp_tcp`). */
  connection: ConnectionStatus;
  name: Uint8Array;
  statusMessage: Uint8Array;
  userStatus: UserStatus;
  /** Whether the friend is typing to us. */
  typing: boolean;
  /** Whether we are typing to the friend. */
  ownTyping: boolean;
  /** What is still to be sent to the friend while it is online (`name_sent` and the like, inverted). */
  unsent: { name: boolean; statusMessage: boolean; userStatus: boolean; typing: boolean };
  /** The last message id given out (`message_id`, u32). */
  messageId: number;
  /** Messages awaiting a receipt, oldest first, and the session they went out on. */
  receipts: PendingReceipt[];
  receiptConn: CryptoConnection | undefined;
  /** When our friend request may be tried again after it could not go out. */
  requestRetryAt: number;
  /** When what `unsent` holds may be tried again after the session's queue refused it. */
  infoRetryAt: number;
  /** When the friend was last online, Unix seconds (0: never, or no wall clock). */
  lastSeen: bigint;
  /** The friend's DHT key and relays as last known, for the saved state. */
  lastDhtKey: Uint8Array | undefined;
  savedRelays: readonly RelayEndpoint[];
  timer: Timer | undefined;
  timerAt: number;
}

const EMPTY = new Uint8Array(0);

/** @internal A new friend record. */
export function newMessengerFriend(number: number, publicKey: Uint8Array): MessengerFriend {
  const key = Uint8Array.from(publicKey);
  return {
    number, publicKey: key, keyHex: toHex(key), request: undefined, online: false, connection: 'none',
    name: EMPTY, statusMessage: EMPTY, userStatus: 0, typing: false, ownTyping: false,
    unsent: { name: true, statusMessage: true, userStatus: true, typing: true },
    messageId: 0, receipts: [], receiptConn: undefined, requestRetryAt: -Infinity, infoRetryAt: -Infinity, lastSeen: 0n, lastDhtKey: undefined, savedRelays: [], timer: undefined, timerAt: Infinity,
  };
}

/** @internal The friends by number and by key. */
export class FriendList {
  readonly #slots: Array<MessengerFriend | undefined> = [];
  readonly #byKey = new Map<string, MessengerFriend>();

  get size(): number {
    return this.#byKey.size;
  }

  /** The lowest free friend number (`init_new_friend`). */
  nextNumber(): number {
    const i = this.#slots.indexOf(undefined);
    return i < 0 ? this.#slots.length : i;
  }

  add(f: MessengerFriend): void {
    this.#slots[f.number] = f;
    this.#byKey.set(f.keyHex, f);
  }

  remove(f: MessengerFriend): void {
    if (this.#slots[f.number] !== f) return;
    this.#slots[f.number] = undefined;
    this.#byKey.delete(f.keyHex);
    while (this.#slots.length > 0 && this.#slots[this.#slots.length - 1] === undefined) this.#slots.pop();
  }

  byNumber(n: number): MessengerFriend | undefined {
    return Number.isInteger(n) && n >= 0 ? this.#slots[n] : undefined;
  }

  byKeyHex(hex: string): MessengerFriend | undefined {
    return this.#byKey.get(hex);
  }

  /** Every friend, in number order. */
  all(): MessengerFriend[] {
    return this.#slots.filter((f): f is MessengerFriend => f !== undefined);
  }
}

/** A friend request we took in and have not answered. */
export interface ReceivedRequest {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly via: 'onion' | 'session';
}

/**
 * @internal The keys whose friend request we saw (`Received_Requests`), a ring of
 * `capacity`: a key in it is not heard again until it falls out or is removed (when that
 * friend is removed, `remove_request_received`). Also what `acceptRequest` accepts.
 */
export class ReceivedRequests {
  readonly #capacity: number;
  readonly #entries = new Map<string, ReceivedRequest>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  has(hex: string): boolean {
    return this.#entries.has(hex);
  }

  get(hex: string): ReceivedRequest | undefined {
    return this.#entries.get(hex);
  }

  add(hex: string, request: ReceivedRequest): void {
    this.#entries.delete(hex);
    this.#entries.set(hex, request);
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  remove(hex: string): boolean {
    return this.#entries.delete(hex);
  }

  all(): ReceivedRequest[] {
    return [...this.#entries.values()];
  }
}
