/**
 * toxlink's TCP relay against real c-toxcore 0.2.18 on loopback.
 *
 * a. toxlink's client connects to tox-bootstrapd's relay: its pings are answered, it answers
 *    the relay's (the relay pings every 30 s and closes a client whose pong is 10 s late,
 *    so the connection outliving two relay pings is the proof); two toxlink clients are
 *    routed to each other through it and exchange data and OOB; bad bytes make the relay
 *    close the connection.
 * b. toxlink's client connects to a C peer's own relay (the peer started with a TCP port;
 *    its relay key is its DHT key).
 * c. Two C peers with UDP disabled become friends over a toxlink relay: each is given only
 *    toxlink's relay (`add_tcp_relay`) and a tox-bootstrapd to bootstrap from. With UDP off
 *    they find each other's DHT keys only through the onion, which they reach through the
 *    relay (onion request frames); so toxlink's relay runs its UDP first onion hop
 *    (`onionSocket`) towards tox-bootstrapd. Their friend connection comes up as 'tcp', and
 *    custom lossless packets cross it both ways, routed through toxlink.
 */
import type { ExecutionContext } from 'ava';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { NodeNetwork, SystemClock, type Address, type StreamConnection } from '../../src/io/index.ts';
import { fromHex, toHex } from '../../src/wire/index.ts';
import { SecureStream, TcpRelayClient, TcpRelayServer, encodePing } from '../../src/relay/index.ts';
import { freePort, startBootstrapdFor } from './bootstrapd.ts';
import { until } from './dht-node.ts';
import { startPeer } from './peer.ts';
import { interopGate } from './skip.ts';

const gate = interopGate();
const LOCAL = '127.0.0.1';
/** c-toxcore pings every 30 s (whole seconds, so up to 31) and waits 10 s for the pong. */
const RELAY_PING_WAIT_MS = 45_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** The C peers found each other in about 9 s when this was written; the onion's timers allow much more. */
const FRIEND_TIMEOUT_MS = 90_000;

const lowerKey = (upperHex: string): Uint8Array => fromHex(upperHex.toLowerCase());

/** A toxlink client of the relay at `address`, closed by the test's teardown. */
function client(t: ExecutionContext, address: Address, relayKey: Uint8Array) {
  const keyPair = generateKeyPair();
  const c = new TcpRelayClient({ network: new NodeNetwork(), clock: new SystemClock(), keyPair, relay: { address, publicKey: relayKey } });
  const log: string[] = [];
  c.on('closed', (e) => log.push(`closed ${e.reason} ${e.error?.message ?? ''}`));
  c.on('error', (e) => log.push(`error ${e.message}`));
  t.teardown(() => c.close());
  return { c, keyPair, log };
}

gate.test('a: toxlink\'s client and tox-bootstrapd\'s relay ping each other, route, and carry data and OOB', async (t) => {
  const node = await startBootstrapdFor(t);
  const address = { host: node.host, port: node.tcpPort };
  const relayKey = lowerKey(node.publicKey);
  const a = client(t, address, relayKey);
  const b = client(t, address, relayKey);
  await until('both connected and answered', () => a.c.stats.pongsReceived > 0 && b.c.stats.pongsReceived > 0, CONNECT_TIMEOUT_MS);

  // Routes both ways, then data and OOB through c-toxcore's relay.
  const status: string[] = [];
  b.c.on('status', (s) => status.push(`b ${s.connectionId} ${s.online}`));
  a.c.routingRequest(b.keyPair.publicKey);
  b.c.routingRequest(a.keyPair.publicKey);
  await until('the route online at both ends', () => a.c.route(b.keyPair.publicKey)?.online === true && b.c.route(a.keyPair.publicKey)?.online === true, CONNECT_TIMEOUT_MS);
  const got: string[] = [];
  const oob: string[] = [];
  b.c.on('data', (d) => got.push(toHex(d.data)));
  b.c.on('oob', (o) => oob.push(`${toHex(o.publicKey)} ${toHex(o.data)}`));
  const id = a.c.route(b.keyPair.publicKey)!.connectionId;
  for (let i = 0; i < 100; i++) t.true(a.c.sendData(id, Uint8Array.of(0x1b, i, ...new Uint8Array(i * 10).fill(i))));
  t.true(a.c.sendOob(b.keyPair.publicKey, Uint8Array.of(0x18, 1, 2, 3)));
  await until('100 data frames and an OOB', () => got.length === 100 && oob.length === 1, CONNECT_TIMEOUT_MS);
  t.deepEqual(got.map((h) => parseInt(h.slice(2, 4), 16)), [...Array(100).keys()]);
  t.is(oob[0], `${toHex(a.keyPair.publicKey)} 18010203`);
  // Our own key is refused.
  const refused: Array<number | undefined> = [];
  a.c.on('routing-response', (r) => refused.push(r.connectionId));
  a.c.routingRequest(a.keyPair.publicKey);
  await until('the refusal', () => refused.length === 1, CONNECT_TIMEOUT_MS);
  t.deepEqual(refused, [undefined]);

  // The relay pings us within 31 s of confirming us; we answer, and it keeps us.
  await until('a ping from the relay, answered', () => a.c.stats.pingsAnswered >= 1 && b.c.stats.pingsAnswered >= 1, RELAY_PING_WAIT_MS);
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  t.is(a.c.state, 'connected', a.log.join('\n'));
  t.is(b.c.state, 'connected', b.log.join('\n'));
  t.deepEqual(status, ['b 16 true']);
  t.is(a.c.stats.dropped.total + b.c.stats.dropped.total, 0);
  t.log(`pongs from the relay: a ${a.c.stats.pongsReceived}; relay pings answered: a ${a.c.stats.pingsAnswered}, b ${b.c.stats.pingsAnswered}`);
});

gate.test('a: tox-bootstrapd\'s relay closes a connection that sends a frame with a bad MAC, or a length over 2048', async (t) => {
  const node = await startBootstrapdFor(t);
  const network = new NodeNetwork();
  for (const spoil of ['mac', 'length'] as const) {
    const conn: StreamConnection = await network.connectTcp({ host: node.host, port: node.tcpPort });
    const stream = SecureStream.client(generateKeyPair(), lowerKey(node.publicKey));
    let closed = false;
    let confirmed = false;
    conn.onClose(() => (closed = true));
    conn.onData((chunk) => {
      stream.push(chunk);
      for (let e = stream.next(); e !== undefined; e = stream.next()) if (e.kind === 'frame' && e.plain[0] === 5) confirmed = true;
    });
    conn.write(stream.hello);
    await until('the relay\'s handshake', () => stream.state === 'open', CONNECT_TIMEOUT_MS);
    conn.write(stream.seal(encodePing(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))));
    await until('the pong', () => confirmed, CONNECT_TIMEOUT_MS);
    if (spoil === 'mac') {
      const frame = stream.seal(encodePing(Uint8Array.of(1, 1, 1, 1, 1, 1, 1, 1)));
      frame[3]! ^= 1;
      conn.write(frame);
    } else {
      conn.write(Uint8Array.of(0x08, 0x01));
    }
    await until(`the relay closing on a bad ${spoil}`, () => closed, CONNECT_TIMEOUT_MS);
    t.true(closed, spoil);
  }
});

gate.test('b: toxlink\'s client connects to a C peer\'s own relay, whose key is its DHT key', async (t) => {
  const peer = await startPeer(t, { name: 'relaying-peer' });
  const udp = await freePort('udp');
  const tcpPort = await freePort('tcp');
  const identity = await peer.create({ udpPortStart: udp, udpPortEnd: udp + 10, tcpPort });
  t.is(identity.tcpPort, tcpPort);
  const a = client(t, { host: LOCAL, port: tcpPort }, lowerKey(identity.dhtId));
  await until('connected and answered', () => a.c.stats.pongsReceived > 0, CONNECT_TIMEOUT_MS);
  // The C peer is a client of its own relay under its DHT key: a route to it is given at once.
  const responses: Array<number | undefined> = [];
  a.c.on('routing-response', (r) => responses.push(r.connectionId));
  a.c.routingRequest(lowerKey(identity.dhtId));
  await until('the routing response', () => responses.length === 1, CONNECT_TIMEOUT_MS);
  t.is(responses[0], 16);
  await until('a ping from the C peer\'s relay, answered', () => a.c.stats.pingsAnswered >= 1, RELAY_PING_WAIT_MS);
  t.is(a.c.state, 'connected', a.log.join('\n'));
});

gate.test('c: two C peers with UDP off become friends over a toxlink relay and trade packets', async (t) => {
  const node = await startBootstrapdFor(t);
  const network = new NodeNetwork();
  const onionSocket = await network.bindUdp({ host: LOCAL, port: 0 });
  const relay = new TcpRelayServer({ network, clock: new SystemClock(), keyPair: generateKeyPair(), onionSocket });
  const errors: Error[] = [];
  relay.on('error', (e) => errors.push(e));
  const listener = await relay.listen({ host: LOCAL, port: 0 });
  t.teardown(async () => {
    await relay.close();
    await onionSocket.close();
  });
  const relayKey = toHex(relay.publicKey).toUpperCase();
  const peers = [await startPeer(t, { name: 'tcp-only-a' }), await startPeer(t, { name: 'tcp-only-b' })] as const;
  const ids = [await peers[0].create({ udp: false }), await peers[1].create({ udp: false })] as const;
  for (const p of peers) {
    await p.addTcpRelay(LOCAL, listener.local.port, relayKey);
    await p.bootstrap(LOCAL, node.udpPort, node.publicKey);
  }
  const friendOfA = await peers[0].addFriendNoRequest(ids[1].publicKey);
  const friendOfB = await peers[1].addFriendNoRequest(ids[0].publicKey);
  const started = Date.now();
  await Promise.all([
    peers[0].waitFor('friend_connection', (e) => e.friend === friendOfA && e.status === 'tcp', FRIEND_TIMEOUT_MS),
    peers[1].waitFor('friend_connection', (e) => e.friend === friendOfB && e.status === 'tcp', FRIEND_TIMEOUT_MS),
  ]);
  t.log(`friends over the toxlink relay after ${Date.now() - started} ms`);

  // Custom lossless packets both ways (c-toxcore may refuse while its send queue fills: retry).
  const sendRetrying = async (from: 0 | 1, friend: number, data: Uint8Array) => {
    for (let i = 0; ; i++) {
      try {
        await peers[from].sendLossless(friend, data);
        return;
      } catch (error) {
        if (i >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  await sendRetrying(0, friendOfA, Uint8Array.of(160, 1, 2, 3));
  await sendRetrying(1, friendOfB, Uint8Array.of(161, 4, 5, 6));
  const atB = await peers[1].waitFor('lossless', (e) => e.friend === friendOfB, CONNECT_TIMEOUT_MS);
  const atA = await peers[0].waitFor('lossless', (e) => e.friend === friendOfA, CONNECT_TIMEOUT_MS);
  t.deepEqual([...atB.data], [160, 1, 2, 3]);
  t.deepEqual([...atA.data], [161, 4, 5, 6]);

  // It went through toxlink: both peers are its clients, routed to each other, and the
  // onion traffic that found the DHT keys went out through its onion hop.
  t.is(relay.clientCount, 2);
  t.true(relay.stats.dataRelayed > 0);
  t.true(relay.onionHop!.stats.requestsForwarded > 0 && relay.onionHop!.stats.responsesDelivered > 0);
  t.deepEqual(relay.routesOf(lowerKey(ids[0].dhtId)).map((r) => [toHex(r.publicKey).toUpperCase(), r.online]), [[ids[1].dhtId, true]]);
  t.is(relay.stats.closed.total, 0, JSON.stringify(relay.stats.closed));
  t.deepEqual(errors, []);
  t.log(`relay: ${relay.stats.dataRelayed} data frames, ${relay.stats.oobRelayed} OOB, onion ${relay.onionHop!.stats.requestsForwarded} out / ${relay.onionHop!.stats.responsesDelivered} back`);
});
