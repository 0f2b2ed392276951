/**
 * The relay server on the simulated network, with toxlink's client and with hand-driven
 * connections: routing, data, OOB, notifications, replacement, pings, deadlines, bad input,
 * slow readers and every bound. All timers run in simulated time.
 */
import test from 'ava';
import { generateKeyPair, randomBytes } from '../../src/crypto/index.ts';
import { TcpPacket } from '../../src/wire/index.ts';
import {
  type OnionRequest, type OnionSource, RelayError, TcpRelayServer, encodeData, encodeDisconnectNotification, encodeForwarding,
  encodeOnionRequest, encodeOobSend, encodePing, encodePong, encodeRoutingRequest, encodeRoutingResponse, decodeRelayPacket,
} from '../../src/relay/index.ts';
import { rawClient, rawConnection, rig, routedPair } from './helpers.ts';

const bytes = (...xs: number[]) => Uint8Array.from(xs);

test('two routed clients exchange data both ways, each knowing the other by key', async (t) => {
  const r = await rig();
  const [a, b] = await routedPair(r);
  const [sa] = a.of('status');
  const [sb] = b.of('status');
  t.true(sa?.online && sb?.online);
  t.deepEqual(sa?.publicKey, b.keyPair.publicKey);
  t.deepEqual(sb?.publicKey, a.keyPair.publicKey);
  for (let i = 0; i < 50; i++) {
    t.true(a.client.sendData(sa!.connectionId, bytes(0x1b, i)));
    t.true(b.client.sendData(sb!.connectionId, bytes(0x1b, 100 + i, 0)));
  }
  await r.sim.clock.advanceAsync(100);
  t.deepEqual(b.of('data').map((d) => d.data[1]), [...Array(50).keys()]);
  t.deepEqual(a.of('data').map((d) => d.data[1]), [...Array(50).keys()].map((i) => 100 + i));
  t.deepEqual(b.of('data')[0]?.publicKey, a.keyPair.publicKey);
  t.is(r.server.stats.dataRelayed, 100);
  t.is(r.server.stats.closed.total, 0);
});

test('a route waits until the peer asks too; then both hear a connect notification', async (t) => {
  const r = await rig();
  const a = r.client();
  const b = r.client();
  await r.sim.clock.advanceAsync(100);
  a.client.routingRequest(b.keyPair.publicKey);
  await r.sim.clock.advanceAsync(100);
  t.deepEqual(a.of('routing-response').map((x) => x.connectionId), [16]);
  t.deepEqual(a.of('status'), []);
  t.deepEqual(r.server.routesOf(a.keyPair.publicKey).map((x) => x.online), [false]);
  // Data on a route whose peer is not online is dropped (c-toxcore: status 1).
  b.client.routingRequest(a.keyPair.publicKey);
  await r.sim.clock.advanceAsync(100);
  t.deepEqual(a.of('status').map((s) => [s.connectionId, s.online]), [[16, true]]);
  t.deepEqual(b.of('status').map((s) => [s.connectionId, s.online]), [[16, true]]);
  t.deepEqual(r.server.routesOf(b.keyPair.publicKey).map((x) => x.online), [true]);
});

test('a client that asks before its peer has connected is routed when the peer comes and asks', async (t) => {
  const r = await rig();
  const a = r.client();
  await r.sim.clock.advanceAsync(100);
  const bKeys = generateKeyPair();
  a.client.routingRequest(bKeys.publicKey);
  await r.sim.clock.advanceAsync(100);
  const b = r.client({ keyPair: bKeys });
  b.client.on('connected', () => b.client.routingRequest(a.keyPair.publicKey));
  await r.sim.clock.advanceAsync(200);
  t.true(a.of('status')[0]?.online);
  t.true(b.of('status')[0]?.online);
});

test('routing: the same key gets the same id, our own key and a full table are refused', async (t) => {
  const r = await rig({ server: { maxRoutesPerClient: 3 } });
  const a = r.client();
  await r.sim.clock.advanceAsync(100);
  const keys = [1, 2, 3, 4].map(() => generateKeyPair().publicKey);
  for (const k of keys) a.client.routingRequest(k);
  a.client.routingRequest(keys[1]!);
  a.client.routingRequest(a.keyPair.publicKey);
  await r.sim.clock.advanceAsync(100);
  t.deepEqual(a.of('routing-response').map((x) => x.connectionId), [16, 17, 18, undefined, 17, undefined]);
  t.is(a.client.routes().length, 3);
});

test('a client giving up a route tells the peer; the peer asking again makes it wait', async (t) => {
  const r = await rig();
  const [a, b] = await routedPair(r);
  a.client.disconnect(16);
  await r.sim.clock.advanceAsync(100);
  t.deepEqual(b.of('status').map((s) => s.online), [true, false]);
  t.deepEqual(r.server.routesOf(a.keyPair.publicKey), []);
  t.deepEqual(r.server.routesOf(b.keyPair.publicKey).map((x) => x.online), [false]);
  t.throws(() => b.client.sendData(16, bytes(1)), { instanceOf: RelayError });
  // a asks again: b's slot was waiting for a, so both are online at once.
  a.client.routingRequest(b.keyPair.publicKey);
  await r.sim.clock.advanceAsync(100);
  t.deepEqual(b.of('status').map((s) => s.online), [true, false, true]);
  t.true(a.client.route(b.keyPair.publicKey)?.online);
});

test('a client that goes away is a disconnect notification for its peers', async (t) => {
  const r = await rig();
  const [a, b] = await routedPair(r);
  b.client.close();
  await r.sim.clock.advanceAsync(100);
  t.deepEqual(a.of('status').map((s) => s.online), [true, false]);
  t.is(r.server.clientCount, 1);
  t.is(r.server.stats.closed.get('peer-closed'), 1);
  // Data sent meanwhile by a on a route now offline is refused by the client API.
  t.throws(() => a.client.sendData(16, bytes(1)), { instanceOf: RelayError });
});

test('OOB reaches a connected key, with the sender named; to an unknown key it is dropped', async (t) => {
  const r = await rig();
  const a = r.client();
  const b = r.client();
  await r.sim.clock.advanceAsync(100);
  t.true(a.client.sendOob(b.keyPair.publicKey, bytes(0x18, 1, 2, 3)));
  t.true(a.client.sendOob(generateKeyPair().publicKey, bytes(0x18)));
  t.true(a.client.sendOob(b.keyPair.publicKey, new Uint8Array(1024).fill(7)));
  await r.sim.clock.advanceAsync(100);
  const got = b.of('oob');
  t.is(got.length, 2);
  t.deepEqual(got[0]?.publicKey, a.keyPair.publicKey);
  t.deepEqual(got[0]?.data, bytes(0x18, 1, 2, 3));
  t.is(got[1]?.data.length, 1024);
  t.is(r.server.stats.oobRelayed, 2);
  t.is(r.server.stats.dropped.get('oob-no-destination'), 1);
  t.throws(() => a.client.sendOob(b.keyPair.publicKey, new Uint8Array(1025)), { instanceOf: RelayError });
});

test('a new connection with the same key replaces the old one; routes follow the new one', async (t) => {
  const r = await rig();
  const [a, b] = await routedPair(r);
  const b2 = r.client({ keyPair: b.keyPair });
  await r.sim.clock.advanceAsync(100);
  t.is(b.client.state, 'closed');
  t.is(r.server.stats.closed.get('replaced'), 1);
  t.is(r.server.clientCount, 2);
  t.deepEqual(a.of('status').map((s) => s.online), [true, false]);
  b2.client.routingRequest(a.keyPair.publicKey);
  await r.sim.clock.advanceAsync(100);
  t.deepEqual(a.of('status').map((s) => s.online), [true, false, true]);
  t.true(b2.client.sendData(b2.of('status')[0]!.connectionId, bytes(0x1b, 42)));
  await r.sim.clock.advanceAsync(100);
  t.deepEqual(a.of('data').map((d) => d.data[1]), [42]);
});

test('clients that answer pings stay for hours; the relay pings every 30 s', async (t) => {
  const r = await rig();
  const [a, b] = await routedPair(r);
  await r.sim.clock.advanceAsync(3 * 60 * 60 * 1000);
  t.is(a.client.state, 'connected');
  t.is(b.client.state, 'connected');
  t.is(r.server.stats.closed.total, 0);
  const hours = 3 * 3600 / 30;
  t.true(a.client.stats.pingsAnswered >= hours - 1 && a.client.stats.pingsAnswered <= hours + 1, `${a.client.stats.pingsAnswered}`);
  t.true(a.client.stats.pongsReceived >= hours - 1, `${a.client.stats.pongsReceived}`);
});

test('a client that stops answering pings is closed 10 s after the ping, and its peers told', async (t) => {
  const r = await rig();
  const a = r.client();
  const raw = await rawClient(r);
  raw.send(encodeRoutingRequest(a.keyPair.publicKey));
  const confirmedAt = r.sim.clock.now();
  await r.sim.clock.advanceAsync(100);
  a.client.routingRequest(raw.keyPair.publicKey);
  await r.sim.clock.advanceAsync(100);
  t.true(a.of('status')[0]?.online);
  await r.sim.clock.advanceAsync(29_000);
  t.is(raw.closed.at, undefined);
  await r.sim.clock.advanceAsync(2_000);
  t.is(raw.frames.filter((f) => f[0] === TcpPacket.PING).length, 1);
  await r.sim.clock.advanceAsync(10_000);
  t.is(r.server.stats.closed.get('ping-timeout'), 1);
  t.true(raw.closed.at! >= confirmedAt + 40_000 && raw.closed.at! <= confirmedAt + 40_100, `closed at ${raw.closed.at! - confirmedAt}`);
  t.deepEqual(a.of('status').map((s) => s.online), [true, false]);
  t.is(a.client.state, 'connected');
});

test('pongs: a stale one is ignored, a zero one closes, a ping is answered with its id', async (t) => {
  const r = await rig();
  const raw = await rawClient(r);
  raw.send(encodePing(bytes(9, 8, 7, 6, 5, 4, 3, 2)));
  await r.sim.clock.advanceAsync(100);
  t.deepEqual(raw.frames.map((f) => decodeRelayPacket(f)), [{ kind: 'pong', pingId: bytes(9, 8, 7, 6, 5, 4, 3, 2) }]);
  raw.send(encodePing(new Uint8Array(8)));
  raw.send(encodePong(bytes(1, 1, 1, 1, 1, 1, 1, 1)));
  await r.sim.clock.advanceAsync(100);
  t.is(raw.frames.length, 1);
  t.is(r.server.stats.dropped.get('zero-ping-id'), 1);
  t.is(r.server.stats.dropped.get('stale-pong'), 1);
  raw.send(encodePong(new Uint8Array(8)));
  await r.sim.clock.advanceAsync(100);
  t.is(r.server.stats.closed.get('zero-pong'), 1);
  t.not(raw.closed.at, undefined);
});

test('a short handshake does not leave a half-open socket: it is closed after 10 s', async (t) => {
  const r = await rig();
  const { conn, closed } = await rawConnection(r);
  conn.write(new Uint8Array(100).fill(1));
  await r.sim.clock.advanceAsync(9_000);
  t.is(closed.at, undefined);
  t.is(r.server.pendingCount, 1);
  await r.sim.clock.advanceAsync(1_100);
  t.not(closed.at, undefined);
  t.is(r.server.stats.closed.get('handshake-timeout'), 1);
  t.is(r.server.pendingCount, 0);
});

test('a client that handshakes and then says nothing is closed after 10 s too', async (t) => {
  const r = await rig();
  const raw = await rawClient(r);
  await r.sim.clock.advanceAsync(10_000);
  t.not(raw.closed.at, undefined);
  t.is(r.server.stats.handshakes, 1);
  t.is(r.server.stats.confirmed, 0);
  t.is(r.server.stats.closed.get('handshake-timeout'), 1);
});

test('garbage, oversized lengths, bad MACs and bad frames close the connection at once, counted', async (t) => {
  const r = await rig();
  const cases: Array<[string, (raw: Awaited<ReturnType<typeof rawClient>>) => void, string]> = [
    ['128 bytes of garbage', (raw) => raw.conn.write(randomBytes(128)), 'handshake'],
    ['a length of 2049', (raw) => raw.conn.write(bytes(0x08, 0x01)), 'frame-too-long'],
    ['a length of 16', (raw) => raw.conn.write(bytes(0, 16, ...new Uint8Array(16))), 'frame-too-short'],
    ['a flipped bit', (raw) => { const f = raw.stream.seal(encodePing(bytes(1, 2, 3, 4, 5, 6, 7, 8))); f[5]! ^= 4; raw.conn.write(f); }, 'frame-bad-mac'],
    ['an unassigned type', (raw) => raw.send(bytes(13, 1)), 'malformed'],
    ['a routing request of 34 bytes', (raw) => raw.send(new Uint8Array(34)), 'malformed'],
    ['an empty data frame', (raw) => raw.send(bytes(16)), 'malformed'],
    ['a routing response from a client', (raw) => raw.send(encodeRoutingResponse(16, new Uint8Array(32).fill(1))), 'unexpected-packet'],
    ['an OOB receive from a client', (raw) => raw.send(Uint8Array.of(7, ...new Uint8Array(33).fill(1))), 'unexpected-packet'],
    ['data on an unused id', (raw) => raw.send(encodeData(20, bytes(1))), 'bad-connection-id'],
    ['a disconnect for an unused id', (raw) => raw.send(encodeDisconnectNotification(20)), 'bad-connection-id'],
    ['an OOB send of 1025 bytes', (raw) => raw.send(Uint8Array.of(6, ...new Uint8Array(32).fill(1), ...new Uint8Array(1025))), 'malformed'],
  ];
  for (const [name, act, reason] of cases) {
    const raw = await rawClient(r, { handshake: reason !== 'handshake' });
    act(raw);
    await r.sim.clock.advanceAsync(100);
    t.not(raw.closed.at, undefined, name);
    if (reason === 'handshake') {
      t.is(r.server.stats.closed.get('handshake-bad-mac') + r.server.stats.closed.get('handshake-bad-key'), 1, name);
    } else {
      t.true(r.server.stats.closed.get(reason as never) >= 1, `${name}: ${JSON.stringify(r.server.stats.closed)}`);
    }
  }
  t.is(r.server.stats.closed.total, cases.length);
  t.is(r.server.clientCount, 0);
  t.is(r.server.pendingCount, 0);
});

test('frames that are only ignored: forwarding, connect notifications from clients, data on a waiting route', async (t) => {
  const r = await rig();
  const raw = await rawClient(r);
  raw.send(encodeRoutingRequest(generateKeyPair().publicKey));
  raw.send(encodeForwarding('forward-request', bytes(2, 1, 2, 3)));
  raw.send(bytes(2, 16));
  raw.send(encodeData(16, bytes(1, 2)));
  await r.sim.clock.advanceAsync(100);
  t.is(raw.closed.at, undefined);
  t.is(r.server.stats.dropped.get('forwarding'), 1);
  t.is(r.server.stats.dropped.get('ignored-notification'), 1);
  t.is(r.server.stats.dropped.get('route-offline'), 1);
});

test('a slow reader gets its frames dropped and never holds up anyone else', async (t) => {
  const r = await rig();
  const a = r.client();
  const fast = r.client();
  const slow = r.client();
  await r.sim.clock.advanceAsync(100);
  for (const peer of [fast, slow]) {
    a.client.routingRequest(peer.keyPair.publicKey);
    peer.client.routingRequest(a.keyPair.publicKey);
  }
  await r.sim.clock.advanceAsync(100);
  const toFast = a.client.route(fast.keyPair.publicKey)!.connectionId;
  const toSlow = a.client.route(slow.keyPair.publicKey)!.connectionId;
  // From now on the relay's bytes take 100 s to reach the slow client.
  r.sim.setLinkOneWay(r.relayHost, slow.host, { latencyMs: 100_000 });
  const payload = new Uint8Array(1000).fill(0x1b);
  let sentFast = 0;
  for (let round = 0; round < 200; round++) {
    for (let i = 0; i < 10; i++) {
      if (a.client.sendData(toFast, payload)) sentFast++;
      a.client.sendData(toSlow, payload);
    }
    await r.sim.clock.advanceAsync(5);
  }
  await r.sim.clock.advanceAsync(1_000);
  t.is(fast.of('data').length, sentFast);
  t.true(sentFast > 1500, `sent ${sentFast}`);
  t.true(r.server.stats.dropped.get('send-buffer-full') > 1000, JSON.stringify(r.server.stats.dropped));
  t.is(slow.of('data').length, 0);
  // The relay held at most its transport's buffer and a few control frames for the slow client.
  t.is(r.server.stats.closed.total, 0);
  // The slow client cannot answer the relay's ping in time: it is closed, the others stay.
  await r.sim.clock.advanceAsync(45_000);
  t.is(r.server.stats.closed.get('ping-timeout'), 1);
  t.is(fast.client.state, 'connected');
  t.true(a.client.route(fast.keyPair.publicKey)?.online);
  t.false(a.client.route(slow.keyPair.publicKey)?.online);
});

test('control frames piling up for a client whose socket takes nothing close it (send-queue-full)', async (t) => {
  const r = await rig({ server: { maxQueuedBytes: 2048 } });
  const a = r.client();
  const rawHost = r.sim.addHost();
  const raw = await rawClient(r, { host: rawHost });
  raw.send(encodeRoutingRequest(a.keyPair.publicKey));
  await r.sim.clock.advanceAsync(100);
  a.client.routingRequest(raw.keyPair.publicKey);
  await r.sim.clock.advanceAsync(100);
  const id = a.client.route(raw.keyPair.publicKey)!.connectionId;
  // The raw client reads nothing from now on; a fills the relay's socket to it.
  r.sim.setLinkOneWay(r.relayHost, rawHost, { latencyMs: 100_000 });
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 10; i++) a.client.sendData(id, new Uint8Array(1000).fill(0x1b));
    await r.sim.clock.advanceAsync(20);
  }
  t.true(r.server.stats.dropped.get('send-buffer-full') > 0);
  t.is(raw.closed.at, undefined);
  // Each routing request is answered with a control frame, which is held: 2048 bytes hold 39.
  for (let i = 0; i < 39; i++) raw.send(encodeRoutingRequest(generateKeyPair().publicKey));
  await r.sim.clock.advanceAsync(100);
  t.is(r.server.stats.closed.total, 0);
  raw.send(encodeRoutingRequest(generateKeyPair().publicKey));
  await r.sim.clock.advanceAsync(100);
  t.is(r.server.stats.closed.get('send-queue-full'), 1);
  t.deepEqual(a.of('status').map((s) => s.online), [true, false]);
});

test('bounds: clients over maxClients and connections over maxPendingConnections are closed at once', async (t) => {
  const r = await rig({ server: { maxClients: 2, maxPendingConnections: 2 } });
  const a = r.client();
  const b = r.client();
  await r.sim.clock.advanceAsync(100);
  const c = r.client();
  await r.sim.clock.advanceAsync(100);
  t.is(a.client.state, 'connected');
  t.is(b.client.state, 'connected');
  t.is(c.client.state, 'closed');
  t.is(r.server.stats.closed.get('too-many-clients'), 1);
  t.is(r.server.clientCount, 2);
  // A replacement is not a new client: it fits.
  const b2 = r.client({ keyPair: b.keyPair });
  await r.sim.clock.advanceAsync(100);
  t.is(b2.client.state, 'connected');
  const p1 = await rawConnection(r);
  const p2 = await rawConnection(r);
  const p3 = await rawConnection(r);
  await r.sim.clock.advanceAsync(100);
  t.is(p1.closed.at, undefined);
  t.is(p2.closed.at, undefined);
  t.not(p3.closed.at, undefined);
  t.is(r.server.stats.closed.get('too-many-pending'), 1);
  t.throws(() => new TcpRelayServer({ clock: r.sim.clock, keyPair: generateKeyPair(), config: { maxClients: 0 } }), { instanceOf: RelayError });
});

test('onion requests: dropped without an onion hop; with one, handed over and answered', async (t) => {
  const r = await rig();
  const raw = await rawClient(r);
  const request = encodeOnionRequest(new Uint8Array(24).fill(1), new Uint8Array(200).fill(2));
  raw.send(request);
  await r.sim.clock.advanceAsync(100);
  t.is(r.server.stats.dropped.get('onion-disabled'), 1);

  const seen: Array<[OnionRequest, OnionSource]> = [];
  let server: TcpRelayServer | undefined;
  const withOnion = await rig({ serverOptions: { onion: { request: (req, src) => { seen.push([req, src]); return true; } } } });
  server = withOnion.server;
  const c = withOnion.client();
  await withOnion.sim.clock.advanceAsync(100);
  c.client.sendOnionRequest(new Uint8Array(24).fill(1), new Uint8Array(200).fill(2));
  await withOnion.sim.clock.advanceAsync(100);
  t.is(seen.length, 1);
  t.deepEqual(seen[0]![0].payload, new Uint8Array(200).fill(2));
  t.deepEqual(seen[0]![1].publicKey, c.keyPair.publicKey);
  t.true(server.sendOnionResponse(seen[0]![1].serial, bytes(0x84, 1, 2, 3)));
  t.false(server.sendOnionResponse(99, bytes(0x84)));
  await withOnion.sim.clock.advanceAsync(100);
  t.deepEqual(c.of('onion-response').map((o) => o.data), [bytes(0x84, 1, 2, 3)]);
  // As c-toxcore with an onion: a request of 159 bytes or less closes the client.
  c.client.sendOnionRequest(new Uint8Array(24), new Uint8Array(134));
  await withOnion.sim.clock.advanceAsync(100);
  t.is(c.client.state, 'closed');
  t.is(server.stats.closed.get('onion-request-too-short'), 1);
});

test('close() ends every connection and the listener', async (t) => {
  const r = await rig();
  const [a, b] = await routedPair(r);
  const pending = await rawConnection(r);
  await r.server.close();
  await r.sim.clock.advanceAsync(100);
  t.is(a.client.state, 'closed');
  t.is(b.client.state, 'closed');
  t.not(pending.closed.at, undefined);
  t.is(r.server.stats.closed.get('closed'), 3);
  await t.throwsAsync(r.server.listen({ host: '0.0.0.0', port: 1 }), { instanceOf: RelayError });
  const late = r.client();
  await r.sim.clock.advanceAsync(100);
  t.is(late.client.state, 'closed');
  t.is(late.client.closeReason, 'connect-failed');
});

test('OOB send helpers refuse bad arguments', (t) => {
  t.throws(() => encodeOobSend(new Uint8Array(31), bytes(1)));
});
