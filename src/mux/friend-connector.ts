/**
 * The channel layer over the friend layer: a {@link MuxConnector} whose carriers are the
 * net_crypto sessions that `FriendConnections` keeps up. `connect` resolves at once for an
 * online friend, else waits for the friend to come online (the friend layer is already
 * searching for every friend it holds), bounded by the caller's AbortSignal. `onCarrier`
 * reports every session the moment its friend goes online, so a channel request the friend
 * sends first is not missed, and, when it is called, every session already up (a manager
 * made after its friends came online hears them too). When a friend's DHT key rotates, its
 * new session is a new carrier and the old one closes with the old session.
 *
 * @see spec/mux.md#the-carrier
 * @module
 */
import type { FriendConnections } from '../friend/index.ts';
import { toHex } from '../wire/index.ts';
import { cryptoCarrier, type ConnectRequestOptions, type MuxCarrier, type MuxConnector } from './carrier.ts';
import { MuxError } from './errors.ts';

/** Options of {@link friendConnector}. */
export interface FriendConnectorOptions {
  /**
   * Whether `connect` to a key the friend layer does not hold adds it (one lock, dropped
   * when the connector is closed). Default false: such a `connect` fails with
   * `connect-failed`, because only friends can be reached.
   */
  readonly holdUnknown?: boolean;
}

/** A {@link MuxConnector} that can be closed (drops its listeners and any locks it took). */
export interface FriendConnector extends MuxConnector {
  close(): void;
}

/** The connector over `friends`; see the module comment. */
export function friendConnector(friends: FriendConnections, options: FriendConnectorOptions = {}): FriendConnector {
  const held = new Map<string, Uint8Array>();
  const offs: Array<() => void> = [];
  const carrierOf = (key: Uint8Array): MuxCarrier | undefined => {
    const conn = friends.connection(key);
    return conn === undefined || conn.state === 'closed' ? undefined : cryptoCarrier(conn);
  };

  return {
    connect(friendKey: Uint8Array, { signal }: ConnectRequestOptions): Promise<MuxCarrier> {
      const keyHex = toHex(friendKey);
      if (!friends.has(friendKey)) {
        if (options.holdUnknown !== true) {
          return Promise.reject(new MuxError('connect-failed', `${keyHex.slice(0, 16)}… is not a friend`));
        }
        friends.lock(friendKey);
        held.set(keyHex, friendKey.slice());
      }
      const now = carrierOf(friendKey);
      if (now !== undefined) return Promise.resolve(now);
      return new Promise<MuxCarrier>((resolve, reject) => {
        const done = (): void => {
          off();
          signal.removeEventListener('abort', aborted);
        };
        const aborted = (): void => {
          done();
          reject(signal.reason instanceof Error ? signal.reason : new MuxError('timeout', 'gave up waiting for the friend to come online'));
        };
        const off = friends.on('status', (s) => {
          if (!s.online || toHex(s.realPublicKey) !== keyHex) return;
          const carrier = carrierOf(friendKey);
          if (carrier === undefined) return;
          done();
          resolve(carrier);
        });
        if (signal.aborted) aborted();
        else signal.addEventListener('abort', aborted, { once: true });
      });
    },

    onCarrier(listener: (carrier: MuxCarrier) => void): () => void {
      const off = friends.on('status', (s) => {
        if (!s.online) return;
        const carrier = carrierOf(s.realPublicKey);
        if (carrier !== undefined) listener(carrier);
      });
      offs.push(off);
      // Friends online already: a manager made after they came online hears them too.
      for (const f of friends.friends()) {
        const carrier = f.online ? carrierOf(f.realPublicKey) : undefined;
        if (carrier !== undefined) listener(carrier);
      }
      return off;
    },

    close(): void {
      for (const off of offs.splice(0)) off();
      for (const key of held.values()) friends.unlock(key);
      held.clear();
    },
  };
}
