/**
 * toxlink's onion client against real c-toxcore 0.2.18 on loopback.
 *
 * The network: one tox-bootstrapd, three C peers (`peer/toxpeer.c`) and one toxlink node —
 * a DhtNode, an OnionNode and an OnionClient on one real UDP socket (NodeNetwork) — all
 * bootstrapped from tox-bootstrapd. Every one of them is an onion hop and announce node
 * for the others.
 *
 * 1. A C peer sends a friend request to toxlink's Tox ID: toxlink's 'friend-request' fires
 *    with the sender's key, the nospam of our Tox ID and the message.
 * 2. toxlink sends a friend request to another C peer: its `friend_request` callback fires
 *    with toxlink's key and the message.
 * 3. After both add each other, toxlink learns the C peer's DHT key ('dht-key', checked
 *    against the peer's `dht_id`), and the C peer learns toxlink's: seen when it asks
 *    toxlink's DHT key for a cookie (net_crypto's first packet, 0x18, sealed to our DHT
 *    key and naming the C peer's real key inside) — which it can only do having taken our
 *    DHT key announcement.
 */
import type { ExecutionContext } from 'ava';
import { NodeNetwork, SystemClock, type Address } from '../../src/io/index.ts';
import { generateKeyPair, precompute } from '../../src/crypto/index.ts';
import { DhtNode } from '../../src/dht/index.ts';
import { OnionClient, OnionNode } from '../../src/onion/index.ts';
import { decodeCookieRequest, openCookieRequest } from '../../src/netcrypto/index.ts';
import { NetPacket, formatToxId, fromHex, toHex } from '../../src/wire/index.ts';
import { freePort, startBootstrapdFor } from './bootstrapd.ts';
import { startPeer, type PeerIdentity, type ToxPeer } from './peer.ts';
import { until } from './dht-node.ts';
import { interopGate } from './skip.ts';

const gate = interopGate();
const LOCAL = '127.0.0.1';
/** Bounds on loopback (measured: onion-connected within ~10 s, each exchange within ~10 s). */
const CONNECT_TIMEOUT_MS = 30_000;
const EXCHANGE_TIMEOUT_MS = 25_000;
const NOSPAM = 0x1234abcd;

const upperHex = (bytes: Uint8Array): string => toHex(bytes).toUpperCase();

async function cPeer(t: ExecutionContext, name: string): Promise<{ peer: ToxPeer; me: PeerIdentity }> {
  const peer = await startPeer(t, { name });
  const start = await freePort('udp');
  const me = await peer.create({ udpPortStart: start, udpPortEnd: Math.min(start + 20, 65535) });
  return { peer, me };
}

gate.test('friend requests both ways and DHT keys both ways between toxlink\'s onion client and C peers', async (t) => {
  const started = Date.now();
  const bootstrapd = await startBootstrapdFor(t);
  const bsKey = fromHex(bootstrapd.publicKey);
  const peers = await Promise.all(['c1', 'c2', 'c3'].map((n) => cPeer(t, n)));
  for (const { peer } of peers) await peer.bootstrap(LOCAL, bootstrapd.udpPort, bootstrapd.publicKey);

  // toxlink: DHT node, onion node and onion client on one socket.
  const network = new NodeNetwork();
  const socket = await network.bindUdp({ host: LOCAL, port: 0 });
  const clock = new SystemClock();
  const dhtKeyPair = generateKeyPair();
  const real = generateKeyPair();
  const dht = new DhtNode({ clock, sender: socket, keyPair: dhtKeyPair });
  const onion = new OnionNode({ clock, sender: socket, dhtKeyPair, closeNodes: (k, n) => dht.closeNodes(k, n) });
  const client = new OnionClient({ clock, sender: socket, dht, realKeyPair: real, dhtKeyPair });
  const cookieRequests: Array<{ dhtKey: string; realKey: string }> = [];
  socket.onReceive((data, from: Address) => {
    if (data[0] === NetPacket.COOKIE_REQUEST) {
      try {
        const envelope = decodeCookieRequest(data);
        const opened = openCookieRequest(envelope, precompute(envelope.senderDhtPublicKey, dhtKeyPair.secretKey)!);
        if (opened) cookieRequests.push({ dhtKey: upperHex(envelope.senderDhtPublicKey), realKey: upperHex(opened.senderRealPublicKey) });
      } catch { /* not ours to judge */ }
      return;
    }
    if (client.receive(data, from)) return;
    if (onion.receive(data, from)) return;
    dht.receive(data, from);
  });
  t.teardown(async () => {
    client.close();
    onion.close();
    dht.close();
    await socket.close();
  });
  const errors: Error[] = [];
  client.events.on('error', (e) => errors.push(e));
  dht.bootstrap({ host: LOCAL, port: bootstrapd.udpPort }, bsKey);
  client.addBootstrapNode(bsKey, { host: LOCAL, port: bootstrapd.udpPort });

  const connected = await until('toxlink onion-connected', () => client.isConnected, CONNECT_TIMEOUT_MS);
  await Promise.all(peers.map(({ peer }) => peer.waitFor('self_connection', (e) => e.status !== 'none', CONNECT_TIMEOUT_MS)));
  t.log(`toxlink onion-connected after ${connected} ms; the C peers connected too`);

  // 1. C → toxlink.
  const [c1, c2] = peers as [typeof peers[0], typeof peers[0]];
  const requests: Array<{ key: string; nospam: number; message: string }> = [];
  client.events.on('friend-request', (e) => requests.push({ key: upperHex(e.realPublicKey), nospam: e.nospam, message: new TextDecoder().decode(e.message) }));
  const ourId = formatToxId({ publicKey: real.publicKey, nospam: NOSPAM });
  await c1.peer.addFriend(ourId, 'hello toxlink, from c-toxcore');
  const took1 = await until('the C peer\'s friend request', () => requests.length > 0, EXCHANGE_TIMEOUT_MS);
  t.deepEqual(requests[0], { key: c1.me.publicKey, nospam: NOSPAM, message: 'hello toxlink, from c-toxcore' });
  t.log(`C → toxlink friend request after ${took1} ms`);

  // 2. toxlink → C.
  const c2Key = fromHex(c2.me.publicKey);
  client.addFriend(c2Key);
  const message = new TextEncoder().encode('hello c-toxcore, from toxlink');
  const received = c2.peer.waitFor('friend_request', (e) => e.publicKey === upperHex(real.publicKey), EXCHANGE_TIMEOUT_MS);
  let copies = 0;
  const sender = setInterval(() => { copies += client.sendFriendRequest(c2Key, c2.me.nospam, message); }, 1000);
  try {
    const event = await received;
    t.is(event.message, 'hello c-toxcore, from toxlink');
  } finally {
    clearInterval(sender);
  }
  t.true(copies > 0);
  t.log(`toxlink → C friend request taken (${copies} copies sent)`);

  // 3. c1 and toxlink have each other: DHT keys both ways.
  const dhtKeys: Array<{ real: string; dht: string; via: string }> = [];
  client.events.on('dht-key', (e) => dhtKeys.push({ real: upperHex(e.realPublicKey), dht: upperHex(e.dhtPublicKey), via: e.via }));
  const added = Date.now();
  client.addFriend(fromHex(c1.me.publicKey));
  const took3 = await until('c1\'s DHT key', () => dhtKeys.some((k) => k.real === c1.me.publicKey), EXCHANGE_TIMEOUT_MS);
  const first = dhtKeys.find((k) => k.real === c1.me.publicKey)!;
  t.is(first.dht, c1.me.dhtId, 'toxlink learned c1\'s DHT key');
  t.log(`toxlink learned c1's DHT key via ${first.via} after ${took3} ms`);
  await until('c1 asks toxlink\'s DHT key for a cookie', () => cookieRequests.some((c) => c.realKey === c1.me.publicKey), EXCHANGE_TIMEOUT_MS);
  const took4 = Date.now() - added;
  const cookie = cookieRequests.find((c) => c.realKey === c1.me.publicKey)!;
  t.is(cookie.dhtKey, c1.me.dhtId);
  t.log(`c1 learned toxlink's DHT key and asked it for a cookie within ${took4} ms of toxlink adding it`);

  t.deepEqual(errors, []);
  t.is(client.stats.dropped['internal-error'] ?? 0, 0);
  t.is(client.stats.dropped['bad-mac'] ?? 0, 0);
  t.log(`toxlink client stats: ${JSON.stringify(client.stats.accepted)} dropped ${JSON.stringify(client.stats.dropped)}; total ${Date.now() - started} ms`);
});
