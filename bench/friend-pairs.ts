/**
 * The friend connect times of bench/friend.ts: two friends started at the same moment on a
 * loopback Tox network (tox-bootstrapd and background C peers), timed from the start to
 * both seeing the other online; then one of them restarted with a new DHT key, timed from
 * the restart to both seeing it online again. Three pairings: toxlink↔toxlink (two
 * ToxNodes in this process), toxlink↔c-toxcore (a ToxNode and a C peer, test/interop/peer.ts)
 * and c-toxcore↔c-toxcore.
 *
 * Online means what c-toxcore's `friend_connection_status` says: the friend's Messenger sent
 * its online packet, so every toxlink node runs a Messenger on its ToxNode. A restarted
 * toxlink node is given its friend's last DHT key (`FriendConnections.setDhtKey`), as a
 * Messenger restored from its profile does; a restarted C peer loads its savedata. Each
 * restart is a clean quit (kill packets sent), as a user closing the program.
 *
 * @module
 */
import { type KeyPair, generateKeyPair } from '../src/crypto/index.ts';
import { NodeNetwork, SystemClock } from '../src/io/index.ts';
import { Messenger, ToxNode } from '../src/messenger/index.ts';
import { fromHex, toHex } from '../src/wire/index.ts';
import { type PeerIdentity, ToxPeer } from '../test/interop/peer.ts';
import { freePort } from '../test/interop/bootstrapd.ts';
import { killChild, trackChild, withTimeout } from './children.ts';

const LOCAL = '127.0.0.1';
/** The longest a connect or reconnect may take before the figure is reported as a timeout. */
export const CONNECT_LIMIT_MS = 60_000;
const POLL_MS = 5;

/** Where the network is entered: tox-bootstrapd's UDP port and DHT key (upper-case hex). */
export interface BootNode {
  readonly udpPort: number;
  readonly publicKey: string;
}

/** One pairing's figures, ms. */
export interface PairFigures {
  readonly connectMs: number;
  readonly restartMs: number;
}

const clock = new SystemClock();
const upper = (key: Uint8Array): string => toHex(key).toUpperCase();

/** A ToxNode and a Messenger on it. */
export interface ToxlinkPeer {
  readonly node: ToxNode;
  readonly messenger: Messenger;
  /** Whether `friend` is online, as the Messenger says. */
  online(friend: Uint8Array): boolean;
  close(): Promise<void>;
}

/** A ToxNode on real loopback UDP, bootstrapped from `boot`, with a Messenger holding `friend`. */
export async function startToxlink(realKeyPair: KeyPair, boot: BootNode, friend: Uint8Array, friendDhtKey?: Uint8Array): Promise<ToxlinkPeer> {
  const node = await ToxNode.start({
    network: new NodeNetwork(), clock, realKeyPair, udp: { host: LOCAL, port: 0 },
    // The no-replay numbers of our DHT key announcements grow across restarts, as c-toxcore's do.
    config: { onion: { noReplayOffsetS: Math.floor(Date.now() / 1000) } },
  });
  const messenger = new Messenger({ clock, friends: node.friends, identity: { realKeyPair, nospam: 0x7011_c0de } });
  messenger.addFriendNoRequest(friend);
  if (friendDhtKey !== undefined) node.friends.setDhtKey(friend, friendDhtKey);
  node.bootstrap({ host: LOCAL, port: boot.udpPort }, fromHex(boot.publicKey));
  return {
    node, messenger,
    online: (key) => messenger.connectionStatus(key) !== 'none',
    async close() {
      messenger.close();
      await node.close();
    },
  };
}

/** A C peer process, tracked until stopped; `create`d on a free port range. */
export async function startC(name: string, savedata?: Uint8Array): Promise<{ peer: ToxPeer; id: PeerIdentity }> {
  const peer = await ToxPeer.start({ name });
  trackChild(peer.pid, () => peer.exited);
  try {
    const start = await freePort('udp');
    const id = await peer.create({ udpPortStart: start, udpPortEnd: Math.min(start + 20, 65_535), ...(savedata ? { savedata } : {}) });
    return { peer, id };
  } catch (error) {
    await stopC(peer);
    throw error;
  }
}

/** Quits a C peer cleanly (tox_kill), then makes sure it is gone by its pid. */
export async function stopC(peer: ToxPeer): Promise<void> {
  await peer.quit().catch(() => undefined);
  killChild(peer.pid);
}

/** Resolves with the ms from `since` when `done()` holds, polling every 5 ms; rejects after the limit. */
function when(done: () => boolean, since: number, what: string): Promise<number> {
  return withTimeout(new Promise<number>((resolve) => {
    const poll = (): void => {
      if (done()) resolve(performance.now() - since);
      else setTimeout(poll, POLL_MS);
    };
    poll();
  }), CONNECT_LIMIT_MS, what);
}

/** Watches a C peer's friend status (the last `friend_connection` event for friend 0). */
function cFriendStatus(peer: ToxPeer): () => boolean {
  let online = false;
  const watch = (): void => {
    peer.waitFor('friend_connection', () => true, 3_600_000).then((e) => {
      online = e.status !== 'none';
      watch();
    }, () => undefined);
  };
  watch();
  return () => online;
}

/** toxlink↔toxlink: two ToxNodes started together; then B restarts. */
export async function toxlinkPair(boot: BootNode): Promise<PairFigures> {
  const aKeys = generateKeyPair();
  const bKeys = generateKeyPair();
  const start = performance.now();
  const a = await startToxlink(aKeys, boot, bKeys.publicKey);
  let b = await startToxlink(bKeys, boot, aKeys.publicKey);
  try {
    const online = (): boolean => a.online(bKeys.publicKey) && b.online(aKeys.publicKey)
      && toHex(a.node.friends.friend(bKeys.publicKey)?.dhtPublicKey ?? new Uint8Array(0)) === toHex(b.node.dhtKeyPair.publicKey);
    const connectMs = await when(online, start, 'toxlink↔toxlink online');
    await b.close();
    await when(() => !a.online(bKeys.publicKey), performance.now(), 'toxlink seeing its friend quit');
    const restart = performance.now();
    b = await startToxlink(bKeys, boot, aKeys.publicKey, a.node.dhtKeyPair.publicKey);
    const restartMs = await when(online, restart, 'toxlink↔toxlink back online');
    return { connectMs, restartMs };
  } finally {
    await a.close();
    await b.close();
  }
}

/** toxlink↔c-toxcore: a ToxNode and a C peer started together; then the ToxNode restarts. */
export async function mixedPair(boot: BootNode): Promise<PairFigures> {
  const keys = generateKeyPair();
  const { peer, id } = await startC('c-friend');
  let t: ToxlinkPeer | undefined;
  try {
    await peer.addFriendNoRequest(upper(keys.publicKey));
    const cOnline = cFriendStatus(peer);
    const cKey = fromHex(id.publicKey);
    const start = performance.now();
    const [, started] = await Promise.all([peer.bootstrap(LOCAL, boot.udpPort, boot.publicKey), startToxlink(keys, boot, cKey)]);
    t = started;
    const online = (): boolean => cOnline() && t!.online(cKey);
    const connectMs = await when(online, start, 'toxlink↔c-toxcore online');
    await t.close();
    await when(() => !cOnline(), performance.now(), 'the C peer seeing toxlink quit');
    const restart = performance.now();
    t = await startToxlink(keys, boot, cKey, fromHex(id.dhtId));
    const restartMs = await when(online, restart, 'toxlink↔c-toxcore back online');
    return { connectMs, restartMs };
  } finally {
    await t?.close();
    await stopC(peer);
  }
}

/** c-toxcore↔c-toxcore: two C peers started together; then B restarts from its savedata. */
export async function cPair(boot: BootNode): Promise<PairFigures> {
  const a = await startC('c-a');
  let b = await startC('c-b');
  try {
    await a.peer.addFriendNoRequest(b.id.publicKey);
    await b.peer.addFriendNoRequest(a.id.publicKey);
    const aOnline = cFriendStatus(a.peer);
    let bOnline = cFriendStatus(b.peer);
    const start = performance.now();
    await Promise.all([a.peer.bootstrap(LOCAL, boot.udpPort, boot.publicKey), b.peer.bootstrap(LOCAL, boot.udpPort, boot.publicKey)]);
    const connectMs = await when(() => aOnline() && bOnline(), start, 'c-toxcore↔c-toxcore online');
    const save = await b.peer.getSavedata();
    await stopC(b.peer);
    await when(() => !aOnline(), performance.now(), 'the C peer seeing its friend quit');
    b = await startC('c-b-again', save);
    const restart = performance.now();
    bOnline = cFriendStatus(b.peer);
    await b.peer.bootstrap(LOCAL, boot.udpPort, boot.publicKey);
    const restartMs = await when(() => aOnline() && bOnline(), restart, 'c-toxcore↔c-toxcore back online');
    return { connectMs, restartMs };
  } finally {
    await stopC(a.peer);
    await stopC(b.peer);
  }
}
