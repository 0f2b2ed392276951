/** Helpers shared by the relay tests: a relay and its clients on one simulated network. */
import { generateKeyPair, type KeyPair } from '../../src/crypto/index.ts';
import { SimNetwork, type SimHost, type SimNetworkOptions, type StreamConnection } from '../../src/io/index.ts';
import {
  type RelayClientConfig, type RelayServerConfig, type TcpRelayClientEvents, SecureStream, TcpRelayClient, TcpRelayServer,
  type TcpRelayServerOptions,
} from '../../src/relay/index.ts';

export const RELAY_PORT = 33445;

export interface Rig {
  readonly sim: SimNetwork;
  readonly relayHost: SimHost;
  readonly server: TcpRelayServer;
  /** A new client host connected to the relay with `keyPair` (fresh by default). */
  client(options?: { keyPair?: KeyPair; config?: Partial<RelayClientConfig>; host?: SimHost }): Recorded;
}

/** A client and everything it reported. */
export interface Recorded {
  readonly client: TcpRelayClient;
  readonly keyPair: KeyPair;
  readonly host: SimHost;
  readonly events: Array<{ [K in keyof TcpRelayClientEvents]: { type: K; value: TcpRelayClientEvents[K] } }[keyof TcpRelayClientEvents]>;
  of<K extends keyof TcpRelayClientEvents>(type: K): Array<TcpRelayClientEvents[K]>;
}

export async function rig(options: {
  sim?: SimNetworkOptions;
  server?: Partial<RelayServerConfig>;
  serverOptions?: Partial<TcpRelayServerOptions>;
} = {}): Promise<Rig> {
  const sim = new SimNetwork({ link: { latencyMs: 10 }, ...options.sim });
  const relayHost = sim.addHost({ name: 'relay' });
  const server = new TcpRelayServer({
    network: relayHost, clock: sim.clock, keyPair: generateKeyPair(), config: options.server, ...options.serverOptions,
  });
  server.on('error', (e) => { throw e; });
  await server.listen({ host: '0.0.0.0', port: RELAY_PORT });
  const endpoint = { address: { host: relayHost.ip, port: RELAY_PORT }, publicKey: server.publicKey };
  return {
    sim,
    relayHost,
    server,
    client(o = {}) {
      const keyPair = o.keyPair ?? generateKeyPair();
      const host = o.host ?? sim.addHost();
      const client = new TcpRelayClient({ network: host, clock: sim.clock, keyPair, relay: endpoint, config: o.config });
      const events: Recorded['events'] = [];
      for (const type of ['connected', 'routing-response', 'status', 'data', 'oob', 'onion-response', 'pong', 'drain', 'closed', 'error'] as const) {
        client.on(type, (value: unknown) => { events.push({ type, value } as never); });
      }
      return {
        client, keyPair, host, events,
        of: <K extends keyof TcpRelayClientEvents>(type: K) =>
          events.filter((e) => e.type === type).map((e) => e.value as TcpRelayClientEvents[K]),
      };
    },
  };
}

/** Two connected clients with routes to each other, online. */
export async function routedPair(r: Rig): Promise<[Recorded, Recorded]> {
  const a = r.client();
  const b = r.client();
  await r.sim.clock.advanceAsync(100);
  a.client.routingRequest(b.keyPair.publicKey);
  b.client.routingRequest(a.keyPair.publicKey);
  await r.sim.clock.advanceAsync(100);
  return [a, b];
}

/** A raw TCP connection from a new host to the relay, for feeding it bytes by hand. */
export async function rawConnection(r: Rig): Promise<{ conn: StreamConnection; received: Uint8Array[]; closed: { at: number | undefined } }> {
  const host = r.sim.addHost();
  const pending = host.connectTcp({ host: r.relayHost.ip, port: RELAY_PORT });
  await r.sim.clock.advanceAsync(50);
  const conn = await pending;
  const received: Uint8Array[] = [];
  const closed = { at: undefined as number | undefined };
  conn.onData((d) => received.push(d.slice()));
  conn.onClose(() => (closed.at = r.sim.clock.now()));
  return { conn, received, closed };
}


/** A hand-driven client: the test decides every byte it sends, and sees every frame it gets. */
export interface RawClient {
  readonly conn: StreamConnection;
  readonly stream: SecureStream;
  readonly keyPair: KeyPair;
  /** Plaintexts of the frames received, in order. */
  readonly frames: Uint8Array[];
  /** When the connection closed (simulated ms), if it has. */
  readonly closed: { at: number | undefined };
  /** Seals and writes one frame. */
  send(plain: Uint8Array): void;
}

/** Connects by hand; with `handshake` (default) also does the handshake, so frames can be sent. */
export async function rawClient(r: Rig, options: { handshake?: boolean; keyPair?: KeyPair; host?: SimHost } = {}): Promise<RawClient> {
  const keyPair = options.keyPair ?? generateKeyPair();
  const host = options.host ?? r.sim.addHost();
  const pending = host.connectTcp({ host: r.relayHost.ip, port: RELAY_PORT });
  await r.sim.clock.advanceAsync(30);
  const conn = await pending;
  const stream = SecureStream.client(keyPair, r.server.publicKey);
  const frames: Uint8Array[] = [];
  const closed = { at: undefined as number | undefined };
  conn.onData((chunk) => {
    stream.push(chunk);
    for (let e = stream.next(); e !== undefined; e = stream.next()) if (e.kind === 'frame') frames.push(e.plain);
  });
  conn.onClose(() => (closed.at = r.sim.clock.now()));
  if (options.handshake ?? true) {
    conn.write(stream.hello);
    await r.sim.clock.advanceAsync(30);
  }
  return { conn, stream, keyPair, frames, closed, send: (plain) => conn.write(stream.seal(plain)) };
}

/** The port of {@link fakeRelay}. */
export const FAKE_RELAY_PORT = 443;

/** A relay driven by the test: it answers the handshake (unless told not to) and records every frame. */
export interface FakeRelay {
  readonly sim: SimNetwork;
  readonly host: SimHost;
  readonly keys: KeyPair;
  readonly frames: Uint8Array[];
  conn: StreamConnection | undefined;
  stream: SecureStream | undefined;
  send(plain: Uint8Array): void;
  connect(config?: Partial<RelayClientConfig>): { client: TcpRelayClient; events: Array<[string, unknown]> };
}

export async function fakeRelay(options: { answer?: boolean; reply?: (hello: Uint8Array) => Uint8Array } = {}): Promise<FakeRelay> {
  const sim = new SimNetwork({ link: { latencyMs: 10 } });
  const host = sim.addHost();
  const keys = generateKeyPair();
  const relay: FakeRelay = {
    sim, host, keys, frames: [], conn: undefined, stream: undefined,
    send(plain) {
      relay.conn!.write(relay.stream!.seal(plain));
    },
    connect(config = {}) {
      const client = new TcpRelayClient({
        network: sim.addHost(), clock: sim.clock, keyPair: generateKeyPair(), config,
        relay: { address: { host: host.ip, port: FAKE_RELAY_PORT }, publicKey: keys.publicKey },
      });
      const events: Array<[string, unknown]> = [];
      for (const e of ['connected', 'routing-response', 'status', 'data', 'oob', 'onion-response', 'pong', 'drain', 'closed'] as const) {
        client.on(e, (v) => events.push([e, v]));
      }
      client.on('error', (e) => { throw e; });
      return { client, events };
    },
  };
  await host.listenTcp({ host: '0.0.0.0', port: FAKE_RELAY_PORT }, (conn) => {
    relay.conn = conn;
    const stream = SecureStream.server(keys);
    relay.stream = stream;
    conn.onData((chunk) => {
      if (options.reply !== undefined && stream.state === 'handshake') {
        conn.write(options.reply(chunk));
        return;
      }
      if (options.answer === false) return;
      stream.push(chunk);
      for (let e = stream.next(); e !== undefined; e = stream.next()) {
        if (e.kind === 'handshake') conn.write(e.reply!);
        else if (e.kind === 'frame') relay.frames.push(e.plain);
      }
    });
  });
  return relay;
}

