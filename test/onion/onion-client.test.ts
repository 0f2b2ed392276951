/**
 * The onion client on a simulated Tox network (test/onion/sim-tox-net.ts: DhtNode and
 * OnionNode on every node): two clients get onion-connected, find each other, exchange
 * DHT keys both ways (onion and DHT) and a friend request; the search backs off as
 * specified; the same with 10 % loss; bad input is dropped and counted, never thrown.
 */
import test, { type ExecutionContext } from 'ava';
import { generateKeyPair, precompute, type KeyPair } from '../../src/crypto/index.ts';
import { CryptoPacket, NetPacket } from '../../src/wire/index.ts';
import type { Address } from '../../src/io/index.ts';
import { SimClock } from '../../src/io/index.ts';
import { DhtNode, encodeDhtRequest } from '../../src/dht/index.ts';
import {
  OnionClient, OnionClientError, type OnionClientEventMap, decodeAnnounceRequest, decodeTcpOnionRequest, encodeAnnounceResponse,
  encodeDhtPkAnnounce, encodeOnionDataRequest, openAnnounceRequest, openOnionRequest, sealOnionData, sealRoutedDhtPk,
} from '../../src/onion/index.ts';
import { simToxNet, type SimToxNet, type ToxNetNode } from './sim-tox-net.ts';

interface Peer {
  readonly node: ToxNetNode;
  readonly real: KeyPair;
  readonly client: OnionClient;
  readonly dhtKeys: Array<OnionClientEventMap['dht-key'] & { at: number }>;
  readonly requests: Array<OnionClientEventMap['friend-request'] & { at: number }>;
  readonly connections: Array<{ at: number; connected: boolean }>;
  readonly errors: Error[];
}

const hex = (key: Uint8Array): string => Buffer.from(key).toString('hex');
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function peer(net: SimToxNet, index: number): Peer {
  const node = net.nodes[index]!;
  const real = generateKeyPair();
  const client = new OnionClient({
    clock: net.clock, sender: node.socket, dht: node.dht, realKeyPair: real, dhtKeyPair: node.dhtKeyPair,
    randomInt: (n) => net.prng.nextInt(0, n),
  });
  node.addHandler((data, from) => client.receive(data, from));
  const p: Peer = { node, real, client, dhtKeys: [], requests: [], connections: [], errors: [] };
  client.events.on('dht-key', (e) => {
    p.dhtKeys.push({ ...e, at: net.clock.now() });
    // What the friend layer does with a friend's DHT key: search for it in the DHT.
    if (!node.dht.friendAddress(e.dhtPublicKey)) node.dht.addFriend(e.dhtPublicKey);
  });
  client.events.on('friend-request', (e) => p.requests.push({ ...e, at: net.clock.now() }));
  client.events.on('connection', (e) => p.connections.push({ ...e, at: net.clock.now() }));
  client.events.on('error', (e) => p.errors.push(e));
  return p;
}

/** Advances one simulated second at a time until `done` or `limitS` seconds; returns the seconds taken. */
function until(net: SimToxNet, limitS: number, done: () => boolean, each?: () => void): number {
  for (let s = 0; s < limitS; s++) {
    if (done()) return s;
    each?.();
    net.clock.advance(1000);
  }
  return done() ? limitS : -1;
}

/** A meets B: connected, A's friend request reaches B, B accepts, both learn each other's DHT key both ways. */
async function meet(t: ExecutionContext, net: SimToxNet, limitS: number): Promise<{ a: Peer; b: Peer }> {
  const a = peer(net, 3);
  const b = peer(net, Math.floor(net.nodes.length / 2));
  const connected = until(net, limitS, () => a.client.isConnected && b.client.isConnected);
  t.true(connected >= 0, 'both onion-connected');
  t.log(`onion-connected after ${connected} simulated s`);

  a.client.addFriend(b.real.publicKey);
  const message = text('hello from a, over the onion');
  let copies = 0;
  const requested = until(net, limitS, () => b.requests.length > 0, () => {
    if (net.clock.now() % 5000 < 1000) copies += a.client.sendFriendRequest(b.real.publicKey, 0xdeadbeef, message);
  });
  t.true(requested >= 0, 'the friend request arrived');
  t.log(`friend request arrived after ${requested} s (${copies} copies sent)`);
  t.is(hex(b.requests[0]!.realPublicKey), hex(a.real.publicKey));
  t.is(b.requests[0]!.nospam, 0xdeadbeef);
  t.deepEqual(b.requests[0]!.message, message);

  b.client.addFriend(a.real.publicKey);
  const keyed = until(net, limitS, () => [a, b].every((p) => p.dhtKeys.some((e) => e.via === 'onion') && p.dhtKeys.some((e) => e.via === 'dht')));
  t.true(keyed >= 0, 'each learned the other\'s DHT key through the onion and through the DHT');
  t.log(`DHT keys learned both ways after ${keyed} s`);
  t.is(hex(a.dhtKeys[0]!.dhtPublicKey), hex(b.node.dht.publicKey));
  t.is(hex(b.dhtKeys[0]!.dhtPublicKey), hex(a.node.dht.publicKey));
  t.is(hex(a.dhtKeys[0]!.realPublicKey), hex(b.real.publicKey));
  t.deepEqual(a.client.friendSearch(b.real.publicKey)!.dhtPublicKey, b.node.dht.publicKey);
  for (const p of [a, b]) t.deepEqual(p.errors, []);
  return { a, b };
}

test('two clients get onion-connected, exchange a friend request and learn each other\'s DHT key both ways', async (t) => {
  const net = await simToxNet(40, { seed: 11 });
  t.teardown(() => net.close());
  const { a, b } = await meet(t, net, 180);
  t.deepEqual(a.connections.map((c) => c.connected), [true]);
  t.true(b.connections[0]!.connected);
  const stats = a.client.stats;
  t.true((stats.accepted['announce-response'] ?? 0) > 0);
  t.true((stats.accepted['search-response'] ?? 0) > 0);
  t.is(stats.dropped['bad-mac'] ?? 0, 0);
  t.is(stats.dropped['unknown-sendback'] ?? 0, 0);
  t.is(stats.dropped['internal-error'] ?? 0, 0);
  // Our own stored announcement: most of the 12 closest nodes store us.
  const counts = a.client.announce.counts(net.clock.now());
  t.is(counts.alive, 12);
  t.true(counts.stored >= 6);
  // A repeated request from the same sender is not reported twice.
  t.is(b.requests.length, 1);
  t.true((b.client.stats.dropped['duplicate-request'] ?? 0) + (b.client.stats.dropped['from-friend'] ?? 0) > 0);
  // Once online by other means, no more DHT key announcements go out.
  a.client.setFriendOnline(b.real.publicKey, true);
  const sentBefore = a.client.stats.sentByKind['onion-data'] ?? 0;
  const keysBefore = b.dhtKeys.length;
  net.clock.advance(60_000);
  t.is(a.client.stats.sentByKind['onion-data'] ?? 0, sentBefore);
  t.is(b.dhtKeys.length, keysBefore);
});

test('with 10 % loss the clients still connect, exchange the request and learn the DHT keys', async (t) => {
  const net = await simToxNet(40, { seed: 12, link: { lossRate: 0.1 }, convergeLimitMs: 300_000 });
  t.teardown(() => net.close());
  const { a, b } = await meet(t, net, 300);
  t.true(a.client.isConnected && b.client.isConnected);
});

test('the search for a friend nobody announces backs off as c-toxcore does', async (t) => {
  const net = await simToxNet(30, { seed: 13 });
  t.teardown(() => net.close());
  const a = peer(net, 2);
  t.true(until(net, 120, () => a.client.isConnected) >= 0);
  const ghost = generateKeyPair().publicKey;
  a.client.addFriend(ghost);
  const samples: Array<{ run: number; interval: number; sent: number }> = [];
  for (let s = 0; s < 900; s++) {
    net.clock.advance(1000);
    const state = a.client.friendSearch(ghost)!;
    samples.push({ run: state.runCount, interval: state.intervalMs, sent: a.client.stats.sentByKind.search ?? 0 });
  }
  for (const x of samples) {
    const want = x.run <= 5 ? 3000 : Math.min(2 ** Math.min(12, x.run - 2) * 1000, 3_600_000);
    t.is(x.interval, want);
  }
  const runs = samples.map((x) => x.run);
  t.true(runs.at(-1)! >= 9, `run count ${runs.at(-1)}`);
  // The run count only grows while connected; the intervals 16, 32, 64, 128, 256 s all appear.
  for (let i = 1; i < runs.length; i++) t.true(runs[i]! >= runs[i - 1]!);
  for (const interval of [16_000, 32_000, 64_000, 128_000, 256_000]) t.true(samples.some((x) => x.interval === interval));
  // The request rate follows the interval: requests are at least I / 4 apart across the
  // friend's nodes, so a stretch of I seconds holds about 4 (each of the 8 nodes is asked
  // every 2 I or so), as in c-toxcore.
  const at128 = samples.filter((x) => x.interval === 128_000);
  t.true(at128.length >= 128, `${at128.length} s at a 128 s interval`);
  const sent = at128[127]!.sent - at128[0]!.sent;
  t.true(sent >= 3 && sent <= 5, `${sent} requests in 128 s at a 128 s interval`);
  // Each request is sealed to its node with a shared key: worked out once per node, not per request.
  const state = a.client.friendSearch(ghost)!;
  const requests = a.client.stats.sentByKind.search ?? 0;
  t.true(requests >= 40, `${requests} requests`);
  t.is(state.sharedKeysWorkedOut + state.sharedKeysReused, requests, 'every request took its key from the cache');
  t.true(state.sharedKeysWorkedOut * 4 <= requests, `${state.sharedKeysWorkedOut} shared keys worked out for ${requests} requests`);
  t.log(`run count ${runs.at(-1)}, interval ${samples.at(-1)!.interval / 1000} s after 900 s; ${samples.at(-1)!.sent} search requests, ${state.sharedKeysWorkedOut} shared keys worked out`);
});

test('bad input is dropped and counted, never thrown: garbage, forgeries, replays, unknown sendbacks', async (t) => {
  const net = await simToxNet(30, { seed: 14 });
  t.teardown(() => net.close());
  const a = peer(net, 4);
  // Capture real announce responses on their way to the client, before it sees them.
  const captured: Array<{ data: Uint8Array; from: Address }> = [];
  a.node.handlers.unshift((data, from) => {
    if (data[0] === NetPacket.ANNOUNCE_RESPONSE_OLD && captured.length < 50) captured.push({ data: data.slice(), from });
    return false;
  });
  t.true(until(net, 120, () => a.client.isConnected) >= 0);
  const client = a.client;
  const from = { host: '20.9.9.9', port: 33445 };
  const dropped = (reason: string): number => (client.stats.dropped as Record<string, number>)[reason] ?? 0;

  // Replays of answered responses: their sendbacks are spent.
  const before = dropped('unknown-sendback');
  for (const c of captured.slice(0, 10)) t.true(client.receive(c.data, c.from));
  t.is(dropped('unknown-sendback') - before, 10);

  // Random and truncated packets of both ids.
  for (let i = 0; i < 300; i++) {
    const len = net.prng.nextInt(1, 1500);
    const data = new Uint8Array(len).map(() => net.prng.nextInt(0, 256));
    data[0] = i % 2 === 0 ? NetPacket.ANNOUNCE_RESPONSE_OLD : NetPacket.ONION_DATA_RESPONSE;
    t.notThrows(() => client.receive(data, from));
  }
  t.false(client.receive(Uint8Array.of(0x88, 1, 2), from), 'not ours: 0x88 (0.2.18 clients never ask for it)');
  t.false(client.receive(Uint8Array.of(NetPacket.PING_REQUEST), from));
  t.true(dropped('malformed-truncated') > 0);
  t.true(dropped('malformed-trailing-bytes') > 0);
  t.true(dropped('bad-mac') > 0, 'random data responses do not open');

  // A garbled copy of a live response is dropped, and does not spend its sendback: the real
  // one, right behind it, is still taken.
  let garbled = 0;
  let takenAfterGarbled = 0;
  a.node.handlers.unshift((data, src) => {
    if (data[0] !== NetPacket.ANNOUNCE_RESPONSE_OLD || garbled >= 3) return false;
    const bad = data.slice();
    bad[bad.length - 1]! ^= 1;
    const accepted = (): number => (client.stats.accepted['announce-response'] ?? 0) + (client.stats.accepted['search-response'] ?? 0);
    const before = accepted();
    client.receive(bad, src);
    client.receive(data, src);
    garbled++;
    if (accepted() === before + 1) takenAfterGarbled++;
    return true;
  });
  const badMac = dropped('bad-mac');
  until(net, 30, () => garbled >= 3);
  t.is(garbled, 3);
  t.is(dropped('bad-mac') - badMac, 3);
  t.is(takenAfterGarbled, 3);

  // Onion data forged for us: from a stranger with a DHT key id, and from someone sealing as another.
  const stranger = generateKeyPair();
  const friend = generateKeyPair();
  client.addFriend(friend.publicKey);
  const forge = (sealer: KeyPair, claimed: Uint8Array, payload: Uint8Array): Uint8Array => {
    const nonce = new Uint8Array(24).map(() => net.prng.nextInt(0, 256));
    const sealed = sealOnionData(precompute(a.real.publicKey, sealer.secretKey)!, nonce, claimed, payload);
    const eph = generateKeyPair();
    const req = encodeOnionDataRequest(a.real.publicKey, nonce, eph.publicKey, precompute(client.dataKeyPair.publicKey, eph.secretKey)!, sealed);
    const resp = new Uint8Array(req.length - 32);
    resp[0] = NetPacket.ONION_DATA_RESPONSE;
    resp.set(req.subarray(33), 1);
    return resp;
  };
  const announcement = new Uint8Array(41);
  announcement[0] = 0x9c;
  announcement[8] = 5;
  const notFriend = dropped('not-a-friend');
  client.receive(forge(stranger, stranger.publicKey, announcement), from);
  t.is(dropped('not-a-friend') - notFriend, 1, 'a DHT key from a stranger');
  const mac = dropped('bad-mac');
  client.receive(forge(stranger, friend.publicKey, announcement), from);
  t.is(dropped('bad-mac') - mac, 1, 'sealed by a stranger in a friend\'s name');
  const keys: Uint8Array[] = [];
  client.events.on('dht-key', (e) => keys.push(e.dhtPublicKey));
  const good = forge(friend, friend.publicKey, announcement);
  client.receive(good, from);
  t.is(keys.length, 1, 'the friend\'s announcement is taken');
  const replay = dropped('replay');
  client.receive(good, from);
  client.receive(forge(friend, friend.publicKey, announcement), from);
  t.is(dropped('replay') - replay, 2, 'the same no-replay number again, even in a new packet');
  t.is(keys.length, 1);
  const unknownId = dropped('unknown-data-id');
  client.receive(forge(friend, friend.publicKey, Uint8Array.of(0x42, 1, 2, 3)), from);
  t.is(dropped('unknown-data-id') - unknownId, 1);
  // A friend request from a friend is not reported.
  const requests: unknown[] = [];
  client.events.on('friend-request', (e) => requests.push(e));
  client.receive(forge(friend, friend.publicKey, Uint8Array.of(0x20, 0, 0, 0, 1, 65)), from);
  t.is(requests.length, 0);
  t.is(dropped('from-friend'), 1);
  client.receive(forge(stranger, stranger.publicKey, Uint8Array.of(0x20, 0, 0, 0, 1, 65)), from);
  client.receive(forge(stranger, stranger.publicKey, Uint8Array.of(0x20, 0, 0, 0, 1, 66)), from);
  t.is(requests.length, 1, 'a stranger\'s request once per nospam');
  t.is(dropped('duplicate-request'), 1);
  t.is(dropped('internal-error'), 0);
  t.deepEqual(a.errors, []);

  // The DHT-routed copy: its DHT key must be the key the DHT request came from.
  const dhtSender = generateKeyPair();
  const routed = (sealer: KeyPair, announced: Uint8Array, noReplay: bigint, garble = false): void => {
    const ann = encodeDhtPkAnnounce({ noReplay, dhtPublicKey: announced, nodes: [] });
    const payload = sealRoutedDhtPk(precompute(a.real.publicKey, sealer.secretKey)!, new Uint8Array(24).fill(1), sealer.publicKey, ann);
    if (garble) payload[payload.length - 1]! ^= 1;
    const packet = encodeDhtRequest(a.node.dht.publicKey, dhtSender.publicKey, precompute(a.node.dht.publicKey, dhtSender.secretKey)!,
      new Uint8Array(24).fill(2), CryptoPacket.DHTPK, payload);
    a.node.dht.receive(packet, from);
  };
  const viaDht: string[] = [];
  client.events.on('dht-key', (e) => { if (e.via === 'dht') viaDht.push(hex(e.dhtPublicKey)); });
  const counts = (): number[] => ['wrong-dht-key', 'bad-mac', 'not-a-friend', 'replay'].map(dropped);
  const c0 = counts();
  routed(friend, generateKeyPair().publicKey, 100n);
  routed(friend, dhtSender.publicKey, 100n, true);
  routed(stranger, dhtSender.publicKey, 100n);
  t.deepEqual(counts().map((x, i) => x - c0[i]!), [1, 1, 1, 0]);
  routed(friend, dhtSender.publicKey, 100n);
  t.deepEqual(viaDht, [hex(dhtSender.publicKey)]);
  routed(friend, dhtSender.publicKey, 100n);
  routed(friend, dhtSender.publicKey, 5n);
  t.deepEqual(counts().map((x, i) => x - c0[i]!), [1, 1, 1, 2], 'replays through the DHT too');
  client.setFriendOnline(friend.publicKey, true);
  client.setFriendOnline(friend.publicKey, false);
  routed(friend, dhtSender.publicKey, 5n);
  t.is(viaDht.length, 2, 'going offline starts the no-replay number again');

  // API misuse is a typed error.
  t.throws(() => client.sendFriendRequest(stranger.publicKey, 1, text('hi')), { instanceOf: OnionClientError, message: /addFriend/ });
  t.throws(() => client.sendFriendRequest(friend.publicKey, 1, new Uint8Array(944)), { instanceOf: OnionClientError });
  t.throws(() => client.addFriend(new Uint8Array(31)), { instanceOf: OnionClientError });
  client.close();
  t.false(client.receive(captured[0]!.data, from), 'a closed client takes nothing');
  t.throws(() => client.addFriend(stranger.publicKey), { instanceOf: OnionClientError });
});


test('without UDP, requests go through a TCP relay as hop 1, and its responses are taken from the relay', async (t) => {
  const clock = new SimClock();
  const dhtKeyPair = generateKeyPair();
  const dht = new DhtNode({ clock, sender: { send: () => {} }, keyPair: dhtKeyPair });
  t.teardown(() => dht.close());
  const relayKey = generateKeyPair().publicKey;
  const viaRelay: Array<{ relay: Uint8Array; body: Uint8Array }> = [];
  const onionStatus: boolean[] = [];
  const udp: unknown[] = [];
  const real = generateKeyPair();
  const client = new OnionClient({
    clock, sender: { send: (to) => udp.push(to) }, dht, realKeyPair: real, dhtKeyPair,
    tcp: {
      randomRelay: () => ({ publicKey: relayKey }),
      sendOnionRequest: (relay, nonce, payload) => {
        const body = new Uint8Array(nonce.length + payload.length);
        body.set(nonce);
        body.set(payload, nonce.length);
        viaRelay.push({ relay, body });
        return true;
      },
      setOnionStatus: (on) => onionStatus.push(on),
    },
  });
  t.teardown(() => client.close());
  const nodes = [0, 1, 2].map((i) => ({ keys: generateKeyPair(), ipPort: { host: `20.5.0.${i + 1}`, port: 33445 } }));
  for (const n of nodes) client.addBootstrapNode(n.keys.publicKey, n.ipPort);
  clock.advance(3000);
  t.is(udp.length, 0, 'nothing over UDP');
  t.is(viaRelay.length, 6, 'the first refill: 6 announce requests, all through the relay');
  const byHost = new Map(nodes.map((n) => [n.ipPort.host, n]));
  // Peel one request as hops 2 and 3 would, and answer it as the announce node would.
  const { body } = viaRelay[0]!;
  t.deepEqual(viaRelay[0]!.relay, relayKey);
  const first = decodeTcpOnionRequest(body);
  let next = first.layer.next;
  let inner = first.layer.inner;
  for (const hop of [2, 3] as const) {
    const node = byHost.get(next.host)!;
    const opened = openOnionRequest(
      { hop, nonce: first.nonce, publicKey: inner.subarray(0, 32), box: inner.subarray(32), returnPath: new Uint8Array(0) },
      precompute(inner.subarray(0, 32), node.keys.secretKey)!,
    )!;
    next = opened.next;
    inner = opened.inner;
  }
  const destination = byHost.get(next.host)!;
  t.is(inner[0], NetPacket.ANNOUNCE_REQUEST_OLD);
  const envelope = decodeAnnounceRequest(Uint8Array.from([...inner, ...new Uint8Array(177)]));
  t.deepEqual(envelope.senderPublicKey, real.publicKey, 'a self-announce is sealed with our real key');
  const shared = precompute(envelope.senderPublicKey, destination.keys.secretKey)!;
  const request = openAnnounceRequest(envelope, shared)!;
  t.deepEqual(request.searchPublicKey, real.publicKey);
  t.deepEqual(request.dataPublicKey, client.dataKeyPair.publicKey);
  const response = encodeAnnounceResponse('old', shared, new Uint8Array(24).fill(3), request.sendback, {
    isStored: 2, pingIdOrKey: new Uint8Array(32).fill(4), nodes: [],
  });
  t.true(client.receiveFromRelay(response));
  t.is(client.stats.accepted['announce-response'], 1);
  t.is(client.announce.counts(clock.now()).stored, 1);
  t.true(client.stats.tcpRequests >= 6);
  clock.advance(4000);
  t.true(onionStatus.length > 0 && onionStatus.every((on) => on), 'relays kept for the onion while the DHT has no UDP');
});

test('our relays travel in our DHT key announcement', async (t) => {
  const net = await simToxNet(30, { seed: 15 });
  t.teardown(() => net.close());
  const a = peer(net, 1);
  const b = peer(net, 20);
  const relay = { protocol: 'tcp' as const, ipPort: { host: '20.7.7.7', port: 3389 }, publicKey: generateKeyPair().publicKey };
  a.client.setOwnRelays([relay]);
  a.client.addFriend(b.real.publicKey);
  b.client.addFriend(a.real.publicKey);
  t.true(until(net, 120, () => b.dhtKeys.some((e) => e.via === 'onion')) >= 0);
  const got = b.dhtKeys.find((e) => e.via === 'onion')!;
  t.deepEqual(got.relays.map((r) => ({ ...r, publicKey: hex(r.publicKey) })), [{ ...relay, publicKey: hex(relay.publicKey) }]);
});
