/**
 * What the channel layer needs from the connection under it, and nothing more: a
 * {@link MuxCarrier} sends lossless packets in order to one friend, says when to stop and
 * when to go on, hands up what arrives, and says once when it closed. A
 * {@link MuxConnector} finds or brings up the carrier to a friend. The friend layer will
 * provide both; {@link cryptoCarrier} makes a carrier of a net_crypto session.
 *
 * @see spec/mux.md#the-carrier
 * @module
 */
import type { CryptoConnection } from '../netcrypto/index.ts';

/** The events of a {@link MuxCarrier}. */
export interface MuxCarrierEvents {
  /** A lossless packet from the friend, in order, id byte first; the array is the listener's. */
  packet: Uint8Array;
  /** `send` returned false before, and the carrier takes packets again. */
  drain: undefined;
  /** The carrier closed (once), with a reason for people; nothing more comes. */
  closed: string;
}

/** An ordered, reliable packet pipe to one friend (a friend connection). */
export interface MuxCarrier {
  /** The friend's long-term public key, 32 bytes. */
  readonly friendKey: Uint8Array;
  /** Whether the carrier is closed: `send` throws, no event comes any more. */
  readonly closed: boolean;
  /**
   * Sends one lossless packet (1 to 1373 bytes, id byte first), which the carrier now owns.
   * Returns false when its queue is at the high-water mark: the packet is taken, but the
   * caller waits for `drain` before sending more. Throws when the carrier is closed.
   */
  send(packet: Uint8Array): boolean;
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof MuxCarrierEvents>(event: K, listener: (value: MuxCarrierEvents[K]) => void): () => void;
}

/** What `MuxConnector.connect` is given. */
export interface ConnectRequestOptions {
  /** Fires when the caller gives up (a timeout, the manager closing): stop and reject. */
  readonly signal: AbortSignal;
}

/** Finds or brings up friend connections for a `ConnectionManager`. */
export interface MuxConnector {
  /**
   * Resolves with the carrier to `friendKey` once it is up: at once if it is, else after
   * bringing it up. Rejects if it cannot, or when `signal` fires.
   */
  connect(friendKey: Uint8Array, options: ConnectRequestOptions): Promise<MuxCarrier>;
  /**
   * Optional: calls `listener` with every carrier as soon as it exists, before any packet
   * from the friend can arrive on it: those the friend brought up and those `connect` is
   * bringing up. The manager attaches to them, so no packet is missed. Returns the function
   * that stops it.
   */
  onCarrier?(listener: (carrier: MuxCarrier) => void): () => void;
}

const carriers = new WeakMap<CryptoConnection, MuxCarrier>();

/**
 * The carrier over a net_crypto session: `send` is `sendLossless`, `packet` is every
 * `lossless` payload, `drain` and `closed` are the session's. One carrier per session (the
 * same object each call), so a manager can tell it has seen it.
 */
export function cryptoCarrier(connection: CryptoConnection): MuxCarrier {
  const known = carriers.get(connection);
  if (known !== undefined) return known;
  const carrier: MuxCarrier = {
    friendKey: connection.peerRealPublicKey,
    get closed() {
      return connection.state === 'closed';
    },
    send: (packet) => connection.sendLossless(packet),
    on(event, listener) {
      switch (event) {
        case 'packet': return connection.on('lossless', listener as (p: Uint8Array) => void);
        case 'drain': return connection.on('drain', listener as () => void);
        case 'closed': return connection.on('closed', (reason) => (listener as (r: string) => void)(`net_crypto session closed: ${reason}`));
        default: return () => {};
      }
    },
  };
  carriers.set(connection, carrier);
  return carrier;
}
