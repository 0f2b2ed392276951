/**
 * Test helpers for the Messenger interop tests: a loopback Tox network of one tox-bootstrapd
 * (UDP DHT node and TCP relay), C peers (`peer/toxpeer.c`) and toxlink nodes (a `ToxNode` on
 * a real UDP socket with the system clock, and a `Messenger` on it), each stopped by the
 * test's teardown. Every event of a toxlink Messenger is recorded with the wall-clock time it
 * arrived, so that a test can state how long something took to the millisecond.
 *
 * @module
 */
import type { ExecutionContext } from 'ava';
import { generateKeyPair, type KeyPair } from '../../src/crypto/index.ts';
import { type Network, NodeNetwork, SystemClock } from '../../src/io/index.ts';
import { type ConnectionStatus, Messenger, type Profile, ToxNode, type ToxNodeOptions, profileKeyPair } from '../../src/messenger/index.ts';
import { fromHex, toHex } from '../../src/wire/index.ts';
import { type Bootstrapd, freePort } from './bootstrapd.ts';
import { type NewOptions, type PeerIdentity, type ToxPeer, startPeer } from './peer.ts';

export const LOCAL = '127.0.0.1';

/** Upper-case hex, as the C peer writes keys and ids. */
export const upperHex = (bytes: Uint8Array): string => toHex(bytes).toUpperCase();
/** Bytes of the C peer's upper-case hex. */
export const keyOf = (hex: string): Uint8Array => fromHex(hex.toLowerCase());

/** A `friend-connection` event of toxlink's Messenger, with when it came (`Date.now()`). */
export interface Seen {
  readonly at: number;
  readonly friendNumber: number;
  readonly publicKey: string;
  readonly status: ConnectionStatus;
}

/** A toxlink node on the loopback network: the node, its Messenger and what it saw. */
export interface Toxlink {
  readonly node: ToxNode;
  readonly messenger: Messenger;
  readonly keyPair: KeyPair;
  /** `friend-connection` events, in order. */
  readonly connections: Seen[];
  /** `friend-request` events, in order. */
  readonly requests: Array<{ readonly at: number; readonly publicKey: string; readonly text: string }>;
  /** `friend-message` events, in order. */
  readonly messages: Array<{ readonly at: number; readonly friendNumber: number; readonly text: string }>;
  /** Every `error` event (a bug in toxlink). */
  readonly errors: Error[];
  /** The Messenger's connection status of a friend now. */
  status(friend: number): ConnectionStatus;
  /** Closes the Messenger and the node (the teardown does it too). Idempotent. */
  close(): Promise<void>;
}

/** How a toxlink node starts. */
export interface ToxlinkOptions {
  /** A saved profile (identity, friends) to restore; else a fresh identity. */
  readonly profile?: Profile;
  readonly nospam?: number;
  /** Give the node tox-bootstrapd's TCP relay (default true). */
  readonly tcpRelay?: boolean;
  /** The network (default a `NodeNetwork`); a test may filter it. */
  readonly network?: Network;
  /**
   * Where to start from: tox-bootstrapd (default), or only the DHT nodes and TCP relays the
   * restored profile lists (`profile`), as a program that loaded a save would.
   */
  readonly bootstrapFrom?: 'bootstrapd' | 'profile';
  /** Settings of the node's layers. */
  readonly config?: ToxNodeOptions['config'];
}

/** Starts a toxlink node on 127.0.0.1, bootstrapped from `bootstrapd` (and its relay), with a Messenger. */
export async function startToxlink(t: ExecutionContext, bootstrapd: Bootstrapd, options: ToxlinkOptions = {}): Promise<Toxlink> {
  const clock = new SystemClock();
  const keyPair = options.profile !== undefined ? profileKeyPair(options.profile) : generateKeyPair();
  const node = await ToxNode.start({ network: options.network ?? new NodeNetwork(), clock, realKeyPair: keyPair, udp: { host: LOCAL, port: 0 }, ...(options.config ? { config: options.config } : {}) });
  const messenger = options.profile !== undefined
    ? Messenger.restore({ clock, friends: node.friends, profile: options.profile, wallClock: () => Date.now() })
    : new Messenger({ clock, friends: node.friends, identity: { realKeyPair: keyPair, nospam: options.nospam ?? 0x7011c0de }, wallClock: () => Date.now() });
  if (options.bootstrapFrom === 'profile' && options.profile !== undefined) {
    for (const n of options.profile.dhtNodes) node.bootstrap(n.ipPort, n.publicKey);
    for (const r of options.profile.tcpRelays) node.addTcpRelay({ address: r.ipPort, publicKey: r.publicKey });
  } else {
    const bsKey = keyOf(bootstrapd.publicKey);
    node.bootstrap({ host: LOCAL, port: bootstrapd.udpPort }, bsKey);
    if (options.tcpRelay !== false) node.addTcpRelay({ address: { host: LOCAL, port: bootstrapd.tcpPort }, publicKey: bsKey });
  }

  const connections: Seen[] = [];
  const requests: Toxlink['requests'] = [];
  const messages: Toxlink['messages'] = [];
  const errors: Error[] = [];
  messenger.on('friend-connection', (e) => connections.push({ at: Date.now(), friendNumber: e.friendNumber, publicKey: upperHex(e.publicKey), status: e.status }));
  messenger.on('friend-request', (e) => requests.push({ at: Date.now(), publicKey: upperHex(e.publicKey), text: e.text }));
  messenger.on('friend-message', (e) => messages.push({ at: Date.now(), friendNumber: e.friendNumber, text: e.text }));
  messenger.on('error', (e) => errors.push(e));
  node.friends.on('error', (e) => errors.push(e));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      messenger.close();
      await node.close();
    })();
    return closing;
  };
  t.teardown(close);
  return {
    node, messenger, keyPair, connections, requests, messages, errors, close,
    status: (friend) => messenger.connectionStatus(friend),
  };
}

/** A C peer and who it is. */
export interface CPeer {
  readonly peer: ToxPeer;
  readonly me: PeerIdentity;
}

/**
 * Starts a C peer (UDP on a free port range unless `udp: false`), bootstrapped from
 * `bootstrapd` and given its TCP relay.
 */
export async function startCPeer(t: ExecutionContext, bootstrapd: Bootstrapd, name: string, options: NewOptions = {}): Promise<CPeer> {
  const peer = await startPeer(t, { name });
  const start = await freePort('udp');
  const me = await peer.create({ udpPortStart: start, udpPortEnd: Math.min(start + 20, 65535), ...options });
  await peer.bootstrap(LOCAL, bootstrapd.udpPort, bootstrapd.publicKey);
  await peer.addTcpRelay(LOCAL, bootstrapd.tcpPort, bootstrapd.publicKey);
  return { peer, me };
}

/** Polls `check` every 20 ms until it returns a value other than undefined; rejects after `timeoutMs`. */
export async function waitUntil<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The first `friend-connection` event at or after `since` for `publicKey` that `match` accepts. */
export function seen(toxlink: Toxlink, publicKey: string, since: number, match: (s: ConnectionStatus) => boolean): Seen | undefined {
  return toxlink.connections.find((c) => c.at >= since && c.publicKey === publicKey && match(c.status));
}

/** Waits for a `friend-connection` event (see {@link seen}). */
export function waitSeen(toxlink: Toxlink, publicKey: string, since: number, match: (s: ConnectionStatus) => boolean, timeoutMs: number, what: string): Promise<Seen> {
  return waitUntil(what, () => seen(toxlink, publicKey, since, match), timeoutMs);
}
