/**
 * Test harness of the Messenger: peers of the friend layer's harness (test/friend/harness.ts:
 * a real DhtNode, NetCrypto and FriendConnections per peer on one SimNetwork), each with a
 * Messenger on top, and every Messenger event recorded with its simulated time.
 *
 * The onion is that harness's FakeOnion, an in-test directory standing in for the real
 * OnionClient (it hands out DHT keys and carries friend requests between published peers);
 * the lead's composition test covers the real OnionClient. Simulated time only.
 */
import { toHex } from '../../src/wire/index.ts';
import { Messenger, type MessengerConfig, type MessengerEvents, type Profile } from '../../src/messenger/index.ts';
import { type Peer, type PeerOptions, type World, world } from '../friend/harness.ts';

export { world, type World, type Peer };

/** A Unix time in ms for the simulated clock's zero (2023-11-14T22:13:20Z). */
export const EPOCH_MS = 1_700_000_000_000;

/** One recorded event. */
export type Recorded = { [K in keyof MessengerEvents]: { type: K; at: number; value: MessengerEvents[K] } }[keyof MessengerEvents];

/** A peer with a Messenger, and what it saw. */
export interface MPeer extends Peer {
  readonly m: Messenger;
  readonly events: Recorded[];
  /** The values of one kind of event, in order. */
  of<K extends keyof MessengerEvents>(type: K): Array<MessengerEvents[K]>;
  /** Errors of every layer, the Messenger's included. */
  allErrors(): string[];
  /** Whether this peer's Messenger sees `other` online. */
  sees(other: MPeer): boolean;
}

export interface MPeerOptions extends PeerOptions {
  readonly nospam?: number;
  readonly messenger?: Partial<MessengerConfig>;
  /** Restore the Messenger from this profile (its identity must be the peer's `real`). */
  readonly profile?: Profile;
}

/** A peer of `w` with a Messenger. */
export async function messengerPeer(w: World, o: MPeerOptions = {}): Promise<MPeer> {
  const peer = await w.peer(o);
  const common = { clock: w.sim.clock, friends: peer.friends, config: o.messenger, wallClock: () => EPOCH_MS + w.sim.clock.now() };
  const m = o.profile !== undefined
    ? Messenger.restore({ ...common, profile: o.profile })
    : new Messenger({ ...common, identity: { realKeyPair: peer.real, nospam: o.nospam ?? 0x12345678 } });
  const events: Recorded[] = [];
  const errors: string[] = [];
  const types: Array<keyof MessengerEvents> = [
    'friend-request', 'friend-connection', 'friend-message', 'friend-name', 'friend-status-message', 'friend-status', 'friend-typing',
    'custom-lossless', 'custom-lossy', 'read-receipt',
  ];
  for (const type of types) {
    m.on(type, (value) => events.push({ type, at: w.sim.clock.now(), value } as Recorded));
  }
  m.on('error', (e) => errors.push(`messenger: ${e.stack ?? e.message}`));
  return Object.assign(peer, {
    m,
    events,
    of: <K extends keyof MessengerEvents>(type: K) => events.filter((e) => e.type === type).map((e) => e.value as MessengerEvents[K]),
    allErrors: () => [...peer.errors, ...errors],
    sees: (other: MPeer) => {
      const n = m.friendNumber(other.real.publicKey);
      return n !== undefined && m.friend(n).status === 'online';
    },
  });
}

/** Makes `a` and `b` friends by Tox ID: `a` sends a request, `b` accepts it when it arrives. Returns their friend numbers. */
export async function befriendByRequest(w: World, a: MPeer, b: MPeer, message = 'hello, may I?'): Promise<{ aOfB: number; bOfA: number }> {
  const off = b.m.on('friend-request', (r) => {
    if (toHex(r.publicKey) === toHex(a.real.publicKey)) b.m.acceptRequest(r.publicKey);
  });
  const aOfB = a.m.addFriend(b.m.toxId(), message);
  await w.until(() => a.sees(b) && b.sees(a), 60_000);
  off();
  const bOfA = b.m.friendNumber(a.real.publicKey);
  if (bOfA === undefined) throw new Error('b did not accept the request');
  return { aOfB, bOfA };
}

/** Two Messenger peers that are friends and online. */
export async function onlinePair(options: { a?: MPeerOptions; b?: MPeerOptions } = {}): Promise<{ w: World; a: MPeer; b: MPeer; aOfB: number; bOfA: number }> {
  const w = await world();
  const a = await messengerPeer(w, { name: 'a', ...options.a });
  const b = await messengerPeer(w, { name: 'b', ...options.b });
  const numbers = await befriendByRequest(w, a, b);
  return { w, a, b, ...numbers };
}
