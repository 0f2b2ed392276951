/**
 * The relay manager against real c-toxcore 0.2.18 on loopback: a C peer with UDP disabled,
 * given two relays (tox-bootstrapd's and a toxlink TcpRelayServer), and toxlink's NetCrypto
 * on a TcpConnections that knows the peer on the same two relays. The cookie request and
 * handshake go out of band on both relays; c-toxcore answers and routes to toxlink's DHT
 * key; the session runs on whichever relay carries it, lossless packets byte-exact both
 * ways. c-toxcore links a friend to a second relay only when told of it: as its friend layer
 * does (and as toxlink's will), both sides share their relays (`PACKET_ID_SHARE_RELAYS`, a
 * lossless packet of packed TCP nodes), so the route comes online on both. Then the relay
 * that carries the session goes away, and the session goes on through the other.
 */
import { generateKeyPair } from '../../src/crypto/index.ts';
import { NodeNetwork, SystemClock } from '../../src/io/index.ts';
import { NetCrypto, type CryptoConnection } from '../../src/netcrypto/index.ts';
import { type RelayEndpoint, TcpConnections, TcpRelayServer } from '../../src/relay/index.ts';
import { fromHex, packNodes, toHex, unpackNodes } from '../../src/wire/index.ts';
import { startBootstrapdFor } from './bootstrapd.ts';
import { until } from './dht-node.ts';
import { startPeer } from './peer.ts';
import { interopGate } from './skip.ts';

const gate = interopGate();
const LOCAL = '127.0.0.1';
const key = (upperHex: string): Uint8Array => fromHex(upperHex.toLowerCase());
/** `PACKET_ID_SHARE_RELAYS` (`friend_connection.h`): a friend's relays, as packed TCP nodes. */
const PACKET_ID_SHARE_RELAYS = 17;

gate.test('a C peer with UDP off and TcpConnections over two relays: net_crypto established, lossless both ways, and it survives losing a relay', async (t) => {
  const node = await startBootstrapdFor(t);
  const network = new NodeNetwork();
  const clock = new SystemClock();
  const ours = new TcpRelayServer({ network, clock, keyPair: generateKeyPair() });
  const listener = await ours.listen({ host: LOCAL, port: 0 });
  t.teardown(() => ours.close());
  const relays: Record<'bootstrapd' | 'toxlink', RelayEndpoint> = {
    bootstrapd: { address: { host: LOCAL, port: node.tcpPort }, publicKey: key(node.publicKey) },
    toxlink: { address: { host: LOCAL, port: listener.local.port }, publicKey: ours.publicKey },
  };
  const real = generateKeyPair();
  const dht = generateKeyPair();

  const peer = await startPeer(t);
  const id = await peer.create({ udp: false });
  await peer.addTcpRelay(LOCAL, node.tcpPort, node.publicKey);
  await peer.addTcpRelay(LOCAL, listener.local.port, toHex(ours.publicKey).toUpperCase());
  await peer.bootstrap(LOCAL, node.udpPort, node.publicKey);
  const friend = await peer.addFriendNoRequest(toHex(real.publicKey).toUpperCase());
  const peerReal = key(id.publicKey);
  const peerDht = key(id.dhtId);

  const tcp = new TcpConnections({ network, clock, keyPair: dht });
  const nc = new NetCrypto({
    clock, sender: { send: () => undefined }, realKeyPair: real, dhtKeyPair: dht,
    accept: (offer) => toHex(offer.realPublicKey) === toHex(peerReal),
  });
  const errors: string[] = [];
  nc.on('error', (e) => errors.push(e.message));
  tcp.on('error', (e) => errors.push(e.message));
  tcp.on('packet', (p) => nc.receiveRelayed(p.data, p));
  let alive: ReturnType<typeof setInterval> | undefined;
  t.teardown(() => {
    clearInterval(alive);
    nc.close();
    tcp.close();
  });
  tcp.addPeer(peerDht);
  tcp.addPeerRelay(peerDht, relays.bootstrapd);
  tcp.addPeerRelay(peerDht, relays.toxlink);
  await until('both relays connected', () => tcp.connectedRelayCount === 2, 10_000);
  // The C peer must be on a relay before an out-of-band packet can reach it.
  await peer.waitFor('self_connection', (e) => e.status === 'tcp', 60_000);

  const conn: CryptoConnection = nc.connect(peerReal, peerDht);
  conn.setRelay((p) => tcp.send(peerDht, p));
  const started = clock.now();
  await until('the session established', () => conn.state === 'established', 30_000);
  t.log(`established in ${(clock.now() - started).toFixed(0)} ms; ${tcp.stats.sentOob} sends went out of band`);
  t.is(conn.path, 'relay');
  conn.sendLossless(Uint8Array.of(24)); // PACKET_ID_ONLINE
  // The friend layer's part: tell the peer our relays, and take the ones it tells us of.
  const shared = tcp.connectedRelays().map((r) => ({ protocol: 'tcp' as const, ipPort: r.address, publicKey: r.publicKey }));
  conn.sendLossless(Uint8Array.from([PACKET_ID_SHARE_RELAYS, ...packNodes(shared)]));
  const told: string[] = [];
  conn.on('lossless', (p) => {
    if (p[0] !== PACKET_ID_SHARE_RELAYS) return;
    for (const n of unpackNodes(p.subarray(1), 3, { allowTcp: true }).nodes) {
      told.push(`${n.ipPort.host}:${n.ipPort.port}`);
      if (n.protocol === 'tcp') tcp.addPeerRelay(peerDht, { address: n.ipPort, publicKey: n.publicKey });
    }
  });
  alive = setInterval(() => conn.state === 'established' && conn.sendLossless(Uint8Array.of(16)), 8000);
  await peer.waitFor('friend_connection', (e) => e.friend === friend && e.status === 'tcp', 30_000);
  await until('routed on both relays', () => tcp.onlineRelays(peerDht) === 2, 30_000);
  const online = () => tcp.peerRelays(peerDht).filter((r) => r.status === 'online').map((r) => toHex(r.relay.publicKey));
  t.log(`online on ${online().map((k) => (k === toHex(ours.publicKey) ? 'toxlink' : 'bootstrapd')).join(', ')}; the peer told us of ${told.join(', ') || 'no relays yet'}`);

  const got: string[] = [];
  conn.on('lossless', (p) => { if (p[0] === 160) got.push(toHex(p)); });
  const exchange = async (round: number): Promise<void> => {
    const sent: string[] = [];
    for (let i = 0; i < 50; i++) {
      const payload = new Uint8Array(2 + ((i * 53 + round) % 1300)).map((_, j) => (j === 0 ? 160 : (i * 7 + j + round) & 255));
      sent.push(toHex(payload));
      conn.sendLossless(payload);
    }
    const atPeer: string[] = [];
    await until(`50 packets at the C peer (round ${round})`, () => {
      for (const e of peer.takeEvents()) if (e.event === 'lossless' && e.data[0] === 160) atPeer.push(toHex(e.data));
      return atPeer.length >= 50;
    }, 30_000);
    t.deepEqual(atPeer, sent);
    got.length = 0;
    const back: string[] = [];
    for (let i = 0; i < 50; i++) {
      const payload = new Uint8Array(2 + ((i + round) % 60)).map((_, j) => (j === 0 ? 160 : (i + j + round) & 255));
      back.push(toHex(payload));
      await peer.sendLosslessRetrying(friend, payload, Date.now() + 30_000);
    }
    await until(`50 packets at toxlink (round ${round})`, () => got.length >= 50, 30_000);
    t.deepEqual(got, back);
  };
  await exchange(1);
  t.true(tcp.stats.sentRouted > 0 && tcp.stats.receivedRouted > 0, JSON.stringify(tcp.stats));

  // The relay that carries the session goes away: the session goes on through the other one.
  const carrier = online()[0] === toHex(ours.publicKey) ? 'toxlink' : 'bootstrapd';
  const other = carrier === 'toxlink' ? relays.bootstrapd : relays.toxlink;
  if (carrier === 'toxlink') await ours.close();
  else await node.stop();
  t.log(`stopped the ${carrier} relay`);
  await until('the manager noticed', () => tcp.relayState(carrier === 'toxlink' ? relays.toxlink.publicKey : relays.bootstrapd.publicKey) !== 'connected', 10_000);
  t.deepEqual(online(), [toHex(other.publicKey)]);
  await exchange(2);
  t.is(conn.state, 'established');
  t.deepEqual(errors, []);
});
