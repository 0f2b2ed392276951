/**
 * Events of a DHT node. Listeners run after the node's state is fully updated; a listener
 * that throws is reported through 'error' and does not disturb the node.
 *
 * @see spec/dht.md#answering-other-nodes
 * @module
 */
import type { IpPort, PackedNode } from '../wire/index.ts';

/** The events and their arguments. */
export interface DhtEventMap {
  /** A node was named in a nodes response (not yet verified), and who named it. */
  node: NodeReport;
  /** A node answered us and entered the close list. */
  'close-node': PackedNode;
  /** A searched key's own node answered us, or was reported at an address that answered. */
  'friend-address': { publicKey: Uint8Array; ipPort: IpPort };
  /** A bug: an exception inside the node or a listener. */
  error: Error;
}

/** A node named in a nodes response. */
export interface NodeReport {
  readonly node: PackedNode;
  /** The DHT key of the node that answered. */
  readonly reporter: Uint8Array;
  /** Where the answer came from. */
  readonly reporterAddress: IpPort;
}

/** A listener of one event. */
export type DhtListener<T> = (value: T) => void;

/** A small typed event emitter. */
export class DhtEvents {
  private readonly listeners: { [K in keyof DhtEventMap]?: Array<DhtListener<DhtEventMap[K]>> } = {};

  on<K extends keyof DhtEventMap>(event: K, listener: DhtListener<DhtEventMap[K]>): () => void {
    const list = (this.listeners[event] ??= []) as Array<DhtListener<DhtEventMap[K]>>;
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  emit<K extends keyof DhtEventMap>(event: K, value: DhtEventMap[K]): void {
    const list = this.listeners[event] as Array<DhtListener<DhtEventMap[K]>> | undefined;
    if (!list) return;
    for (const listener of [...list]) {
      try {
        listener(value);
      } catch (error) {
        if (event === 'error') continue;
        this.emit('error', error as Error);
      }
    }
  }
}
