/**
 * The toxlink ends of bench/relay-c.ts: two toxlink ends, each a TcpRelayClient under its DHT
 * key with a NetCrypto node on top (as test/interop/netcrypto-relay.test.ts wires one, and as
 * the relay manager sends: routed if the route is online, else out of band; a frame the
 * client's full socket refuses is dropped), in a session through one relay; the receiver
 * here or in a child process (bench/relay-c-receiver.ts). The C ends are in
 * bench/relay-c-peers.ts.
 *
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair, type KeyPair } from '../src/crypto/index.ts';
import { NodeNetwork, SystemClock } from '../src/io/index.ts';
import { NetCrypto, type CryptoConnection } from '../src/netcrypto/index.ts';
import { type RelayEndpoint, TcpRelayClient } from '../src/relay/index.ts';
import { fromHex, toHex } from '../src/wire/index.ts';
import { type CountReport, LosslessCounter, echoPings } from './netcrypto-end.ts';
import type { ReceiverReport } from './relay-c-receiver.ts';
import { killChild, trackChild, withTimeout } from './children.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `condition` holds; rejects after `ms`. */
export async function until(what: string, condition: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(5);
  }
}

// ───────────────────────────── two toxlink ends ─────────────────────────────

/** A TcpRelayClient under the DHT key, and a NetCrypto node that uses it as its only path. */
export interface ToxlinkEnd {
  readonly client: TcpRelayClient;
  readonly nc: NetCrypto;
  readonly real: KeyPair;
  readonly dht: KeyPair;
  /** Sends to the peer with this DHT key: routed if its route is online, else out of band. */
  sendTo(peerDht: Uint8Array, packet: Uint8Array): void;
  readonly errors: string[];
  close(): void;
}

export function toxlinkEnd(relay: RelayEndpoint): ToxlinkEnd {
  const clock = new SystemClock();
  const real = generateKeyPair();
  const dht = generateKeyPair();
  const errors: string[] = [];
  const client = new TcpRelayClient({ network: new NodeNetwork(), clock, keyPair: dht, relay });
  const sendTo = (peerDht: Uint8Array, packet: Uint8Array): void => {
    const route = client.route(peerDht);
    if (route?.online) client.sendData(route.connectionId, packet);
    else client.sendOob(peerDht, packet);
  };
  const nc = new NetCrypto({ clock, sender: { send: () => undefined }, realKeyPair: real, dhtKeyPair: dht, accept: () => true });
  nc.on('error', (e) => errors.length < 10 && errors.push(e.message));
  client.on('error', (e) => errors.length < 10 && errors.push(e.message));
  client.on('oob', (o) => nc.receiveRelayed(o.data, { peerDhtPublicKey: o.publicKey, reply: (p) => sendTo(o.publicKey, p) }));
  client.on('data', (d) => nc.receiveRelayed(d.data, { peerDhtPublicKey: d.publicKey, reply: (p) => sendTo(d.publicKey, p) }));
  return {
    client, nc, real, dht, sendTo, errors,
    close: () => {
      nc.close();
      client.close();
    },
  };
}

/** The receiving end of a toxlink session: here, or in a child process. */
export interface ToxlinkReceiver {
  /** Starts counting transfer payloads. */
  begin(): Promise<void>;
  /** Stops counting: what arrived, payloads that arrived twice, node errors. */
  end(): Promise<{ count: CountReport; duplicates: number; errors: string[] }>;
  close(): Promise<void>;
}

/** A session from a sender here to a receiver (here or in a child), both ends established. */
export interface ToxlinkSession {
  readonly sender: ToxlinkEnd;
  readonly conn: CryptoConnection;
  readonly receiver: ToxlinkReceiver;
  readonly connectMs: number;
  close(): Promise<void>;
}

/**
 * Makes a sender here and a receiver (in this process, or with `child` in a child process:
 * bench/relay-c-receiver.ts), routes them to each other through `relay` and makes a session
 * from the sender to the receiver (each step at most `ms`). The receiver echoes pings.
 */
export async function toxlinkSession(relay: RelayEndpoint, relayKeyHex: string, child: boolean, ms: number): Promise<ToxlinkSession> {
  const start = performance.now();
  const a = toxlinkEnd(relay);
  let receiver: ToxlinkReceiver | undefined;
  try {
    let receiverDht: Uint8Array;
    let receiverReal: Uint8Array;
    let established: () => Promise<void>;
    if (child) {
      const c = await childReceiver(relay, relayKeyHex, ms);
      receiver = c;
      receiverDht = c.dht;
      receiverReal = c.real;
      c.routeTo(a.dht.publicKey);
      established = () => c.connected(ms);
    } else {
      const b = toxlinkEnd(relay);
      const counter = new LosslessCounter();
      let accepted: CryptoConnection | undefined;
      let dupBase = 0;
      const dups = (): number => (accepted?.stats.dropped.toJSON() as Record<string, number> | undefined)?.['duplicate'] ?? 0;
      b.nc.on('connection', (c) => {
        if (accepted !== undefined) return;
        accepted = c;
        counter.attach(c);
        echoPings(c);
      });
      receiver = {
        begin: async () => {
          dupBase = dups();
          counter.begin();
        },
        end: async () => ({ count: counter.end(), duplicates: dups() - dupBase, errors: [...b.errors] }),
        close: async () => b.close(),
      };
      receiverDht = b.dht.publicKey;
      receiverReal = b.real.publicKey;
      await until('the receiver connected to the relay', () => b.client.state === 'connected', ms);
      b.client.routingRequest(a.dht.publicKey);
      established = () => until('the accepted session established', () => accepted?.state === 'established', ms);
    }
    await until('the sender connected to the relay', () => a.client.state === 'connected', ms);
    a.client.routingRequest(receiverDht);
    await until('the route online at the sender', () => a.client.route(receiverDht)?.online === true, ms);
    const conn = a.nc.connect(receiverReal, receiverDht);
    conn.setRelay((p) => a.sendTo(receiverDht, p));
    await withTimeout(conn.established(), ms, 'the toxlink session');
    await established();
    const r = receiver;
    return {
      sender: a, conn, receiver: r, connectMs: Math.round(performance.now() - start),
      close: async () => {
        a.close();
        await r.close();
      },
    };
  } catch (error) {
    a.close();
    await receiver?.close();
    throw error;
  }
}

/** The receiver in a child process, with what the parent needs to route to it. */
async function childReceiver(relay: RelayEndpoint, relayKeyHex: string, ms: number): Promise<ToxlinkReceiver & {
  real: Uint8Array; dht: Uint8Array; routeTo(dht: Uint8Array): void; connected(ms: number): Promise<void>;
}> {
  const child: ChildProcess = fork(join(here, 'relay-c-receiver.ts'), [String(relay.address.port), relayKeyHex], {
    execArgv: ['--import=tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  if (child.pid === undefined) throw new Error('no pid for the receiver child');
  const pid = child.pid;
  trackChild(pid, () => child.exitCode !== null || child.signalCode !== null);
  const inbox: Array<Record<string, unknown>> = [];
  const waiting: Array<{ type: string; resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }> = [];
  let gone: Error | undefined;
  const fail = (error: Error): void => {
    gone ??= error;
    for (const w of waiting.splice(0)) w.reject(gone);
  };
  child.on('message', (m: Record<string, unknown>) => {
    if (m['type'] === 'error') return fail(new Error(`receiver child: ${String(m['message'])}`));
    const i = waiting.findIndex((w) => w.type === m['type']);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
    else inbox.push(m);
  });
  child.on('exit', (code, signal) => fail(new Error(`receiver child exited (${code ?? signal})`)));
  const next = (type: string, limit: number): Promise<Record<string, unknown>> => {
    const i = inbox.findIndex((m) => m['type'] === type);
    if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]!);
    if (gone !== undefined) return Promise.reject(gone);
    return withTimeout(new Promise((resolve, reject) => waiting.push({ type, resolve, reject })), limit, `receiver child '${type}'`);
  };
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.connected) {
      child.send({ type: 'quit' });
      await withTimeout(new Promise((resolve) => child.once('exit', resolve)), 2000, 'receiver exit').catch(() => undefined);
    }
    killChild(pid);
  };
  try {
    const ready = await next('ready', ms);
    return {
      real: fromHex(String(ready['real'])),
      dht: fromHex(String(ready['dht'])),
      routeTo: (dht) => child.send({ type: 'peer', dht: toHex(dht) }),
      connected: async (limit) => void (await next('connected', limit)),
      begin: async () => {
        child.send({ type: 'begin' });
        await next('begun', ms);
      },
      end: async () => {
        child.send({ type: 'end' });
        const r = (await next('report', ms)) as unknown as ReceiverReport;
        return { count: r.count, duplicates: r.duplicates, errors: r.errors };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

