/**
 * Test helper: the channel layer on two net_crypto sessions over the simulated network
 * (test/netcrypto/sim-pair.ts), one ConnectionManager each. Each connector brings the
 * net_crypto session up on demand and reports every session as soon as it exists, so the
 * manager hears the friend's first packet.
 */
import { simPair, type Peer } from '../netcrypto/sim-pair.ts';
import type { SimNetworkOptions, SimClock } from '../../src/io/index.ts';
import type { NetCryptoConfig } from '../../src/netcrypto/index.ts';
import { keepIncoming } from './helpers.ts';
import { ConnectionManager, cryptoCarrier, type MuxCarrier, type MuxConfig, type MuxConnector } from '../../src/mux/index.ts';

export interface MuxSimPeer {
  peer: Peer;
  key: Uint8Array;
  manager: ConnectionManager;
  /** The carrier to the other peer, once there is a session. */
  carrier(): MuxCarrier | undefined;
}

export interface MuxSim {
  clock: SimClock;
  alice: MuxSimPeer;
  bob: MuxSimPeer;
}

function connector(me: Peer, other: Peer): MuxConnector {
  const listeners: Array<(c: MuxCarrier) => void> = [];
  const report = (c: MuxCarrier) => { for (const l of [...listeners]) l(c); };
  me.node.on('connection', (conn) => report(cryptoCarrier(conn)));
  return {
    async connect(_friendKey, { signal }) {
      const conn = me.node.connect(other.real.publicKey, other.dht.publicKey, other.address);
      const carrier = cryptoCarrier(conn);
      report(carrier);
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason as Error);
        signal.addEventListener('abort', onAbort, { once: true });
        conn.established().then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
      return carrier;
    },
    onCarrier(listener) {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
  };
}

export async function muxSim(options: SimNetworkOptions & { config?: Partial<NetCryptoConfig>; mux?: Partial<MuxConfig> } = {}): Promise<MuxSim> {
  const pair = await simPair(options);
  const make = (me: Peer, other: Peer): MuxSimPeer => {
    const manager = new ConnectionManager({ selfKey: me.real.publicKey, connector: connector(me, other), clock: pair.sim.clock, config: options.mux });
    manager.on('error', (e) => { throw e; });
    keepIncoming(manager);
    return {
      peer: me, key: me.real.publicKey, manager,
      carrier: () => {
        const c = me.node.connection(other.real.publicKey);
        return c === undefined ? undefined : cryptoCarrier(c);
      },
    };
  };
  return { clock: pair.sim.clock, alice: make(pair.alice, pair.bob), bob: make(pair.bob, pair.alice) };
}
