/**
 * net_crypto over a TCP relay against real c-toxcore 0.2.18: a C peer with UDP disabled and
 * toxlink, both clients of tox-bootstrapd's relay, reach each other through it. toxlink's
 * cookie request and handshake go out of band to the C peer's DHT key; c-toxcore answers
 * out of band, routes to toxlink's DHT key, and the session runs over the routed connection.
 * Lossless packets cross byte-exact both ways.
 */
import { generateKeyPair } from '../../src/crypto/index.ts';
import { NodeNetwork, SystemClock } from '../../src/io/index.ts';
import { NetCrypto, type CryptoConnection } from '../../src/netcrypto/index.ts';
import { TcpRelayClient } from '../../src/relay/index.ts';
import { fromHex, toHex } from '../../src/wire/index.ts';
import { startBootstrapdFor } from './bootstrapd.ts';
import { until } from './dht-node.ts';
import { startPeer } from './peer.ts';
import { interopGate } from './skip.ts';

const gate = interopGate();
const LOCAL = '127.0.0.1';
const key = (upperHex: string): Uint8Array => fromHex(upperHex.toLowerCase());

gate.test('a C peer with UDP off and toxlink: net_crypto established through tox-bootstrapd\'s relay, lossless both ways', async (t) => {
  const node = await startBootstrapdFor(t);
  const relayKey = key(node.publicKey);
  const clock = new SystemClock();
  const real = generateKeyPair();
  const dht = generateKeyPair();

  const peer = await startPeer(t);
  const id = await peer.create({ udp: false });
  await peer.addTcpRelay(LOCAL, node.tcpPort, node.publicKey);
  await peer.bootstrap(LOCAL, node.udpPort, node.publicKey);
  const friend = await peer.addFriendNoRequest(toHex(real.publicKey).toUpperCase());
  const peerReal = key(id.publicKey);
  const peerDht = key(id.dhtId);

  // toxlink: one relay client with its DHT key, and a net_crypto node on top of it.
  const client = new TcpRelayClient({ network: new NodeNetwork(), clock, keyPair: dht, relay: { address: { host: LOCAL, port: node.tcpPort }, publicKey: relayKey } });
  const sendTo = (peerKey: Uint8Array, packet: Uint8Array): void => {
    const route = client.route(peerKey);
    if (route?.online) client.sendData(route.connectionId, packet);
    else client.sendOob(peerKey, packet);
  };
  const nc = new NetCrypto({
    clock, sender: { send: () => undefined }, realKeyPair: real, dhtKeyPair: dht,
    accept: (offer) => toHex(offer.realPublicKey) === toHex(peerReal),
  });
  const errors: string[] = [];
  nc.on('error', (e) => errors.push(e.message));
  client.on('oob', (o) => nc.receiveRelayed(o.data, { peerDhtPublicKey: o.publicKey, reply: (p) => sendTo(o.publicKey, p) }));
  client.on('data', (d) => nc.receiveRelayed(d.data, { peerDhtPublicKey: d.publicKey, reply: (p) => sendTo(d.publicKey, p) }));
  let alive: ReturnType<typeof setInterval> | undefined;
  t.teardown(() => {
    clearInterval(alive);
    nc.close();
    client.close();
  });
  await until('connected to the relay', () => client.state === 'connected', 10_000);
  // The C peer must be on the relay too before an out-of-band packet can reach it.
  await peer.waitFor('self_connection', (e) => e.status === 'tcp', 60_000);

  client.routingRequest(peerDht);
  const conn: CryptoConnection = nc.connect(peerReal, peerDht);
  conn.setRelay((p) => sendTo(peerDht, p));
  const started = clock.now();
  await until('the session established', () => conn.state === 'established', 30_000);
  t.log(`established over the relay in ${(clock.now() - started).toFixed(0)} ms; path ${conn.path}`);
  t.is(conn.path, 'relay');
  conn.sendLossless(Uint8Array.of(24)); // PACKET_ID_ONLINE: c-toxcore's Messenger counts us online
  alive = setInterval(() => conn.state === 'established' && conn.sendLossless(Uint8Array.of(16)), 8000);
  await peer.waitFor('friend_connection', (e) => e.friend === friend && e.status === 'tcp', 30_000);

  const got: string[] = [];
  conn.on('lossless', (p) => { if (p[0] === 160) got.push(toHex(p)); });
  const sent: string[] = [];
  for (let i = 0; i < 100; i++) {
    const payload = new Uint8Array(1 + ((i * 37) % 1300) + 1).map((_, j) => (j === 0 ? 160 : (i * 7 + j) & 255));
    sent.push(toHex(payload));
    conn.sendLossless(payload);
  }
  const atPeer: string[] = [];
  await until('100 packets at the C peer', () => {
    for (const e of peer.takeEvents()) if (e.event === 'lossless' && e.data[0] === 160) atPeer.push(toHex(e.data));
    return atPeer.length >= 100;
  }, 30_000);
  t.deepEqual(atPeer, sent);
  const back: string[] = [];
  for (let i = 0; i < 100; i++) {
    const payload = new Uint8Array(2 + (i % 50)).map((_, j) => (j === 0 ? 160 : (i + j) & 255));
    back.push(toHex(payload));
    await peer.sendLosslessRetrying(friend, payload, Date.now() + 30_000);
  }
  await until('100 packets at toxlink', () => got.length >= 100, 30_000);
  t.deepEqual(got, back);
  t.true(client.route(peerDht)?.online === true, 'the relay routed us to each other');
  t.deepEqual(errors, []);
});
