/**
 * Two friend layers on a simulated network, with real DhtNode and NetCrypto: finding each
 * other, packets for the layer above, friend requests, locks, bad input. The onion is the
 * in-test directory of harness.ts (FakeOnion), not the real OnionClient: it hands out DHT
 * keys as the OnionClient's 'dht-key' event will. Simulated time only.
 */
import test from 'ava';
import { DataPacket, toHex } from '../../src/wire/index.ts';
import { FriendError, encodeFriendRequestPacket, encodeShareRelays } from '../../src/friend/index.ts';
import { befriend, world, type Peer, type World } from './harness.ts';

async function pair(): Promise<{ w: World; a: Peer; b: Peer }> {
  const w = await world();
  const a = await w.peer({ name: 'a' });
  const b = await w.peer({ name: 'b' });
  befriend(a, b);
  await w.until(() => a.online(b) && b.online(a), 60_000);
  return { w, a, b };
}

test('two friends find each other (onion key, DHT address) and come online over UDP', async (t) => {
  const { w, a, b } = await pair();
  t.true(a.online(b) && b.online(a), 'both online');
  t.log(`online at ${w.sim.clock.now()} simulated ms`);
  t.is(a.friends.path(b.real.publicKey), 'udp');
  const info = a.friends.friend(b.real.publicKey)!;
  t.is(toHex(info.dhtPublicKey!), toHex(b.dhtKeys.publicKey));
  t.is(info.session, 'established');
  t.deepEqual(info.address, b.address);
  t.deepEqual(a.statuses.map((s) => [s.online, s.path]), [[true, 'udp']]);
  // The onion stops searching once the friend is online, and was told the DHT key once.
  t.deepEqual(a.onion.callsOf('setFriendOnline', b.real.publicKey), [true]);
  t.deepEqual(a.onion.callsOf('setFriendDhtKey', b.real.publicKey), [toHex(b.dhtKeys.publicKey)]);
  t.deepEqual(a.dhtCalls, [`add:${toHex(b.dhtKeys.publicKey)}`]);
  t.deepEqual([...a.errors, ...b.errors], []);
});

test('packets for the layer above arrive by id; this layer\'s own ids do not pass up', async (t) => {
  const { w, a, b } = await pair();
  t.true(a.friends.sendLossless(b.real.publicKey, Uint8Array.of(DataPacket.MESSAGE, 1, 2, 3)));
  t.true(a.friends.sendLossless(b.real.publicKey, Uint8Array.of(170, 9)));
  t.true(a.friends.sendLossy(b.real.publicKey, Uint8Array.of(200, 7)));
  await w.advance(200);
  t.deepEqual(b.lossless.map((p) => [p.id, [...p.data]]), [[64, [64, 1, 2, 3]], [170, [170, 9]]]);
  t.deepEqual(b.lossy.map((p) => [p.id, [...p.data]]), [[200, [200, 7]]]);
  t.is(toHex(b.lossless[0]!.realPublicKey), toHex(a.real.publicKey));
  for (const bad of [Uint8Array.of(16), Uint8Array.of(17), Uint8Array.of(18), Uint8Array.of(2), Uint8Array.of(192), new Uint8Array(0)]) {
    const e = t.throws(() => a.friends.sendLossless(b.real.publicKey, bad), { instanceOf: FriendError });
    t.is(e?.code, 'bad-payload');
  }
  t.is(t.throws(() => a.friends.sendLossy(b.real.publicKey, Uint8Array.of(191)), { instanceOf: FriendError })?.code, 'bad-payload');
  // 50 s of idle: alive packets flow, none passes up.
  await w.advance(50_000);
  t.is(b.lossless.length, 2);
  t.true(a.online(b) && b.online(a));
  t.true(b.friends.stats.aliveReceived >= 6, `${b.friends.stats.aliveReceived} alive packets`);
});

test('a friend request goes over the session when the friend is online (id 18), else through the onion', async (t) => {
  const { a, b, w } = await pair();
  const message = new TextEncoder().encode('hello from a session');
  t.deepEqual(a.friends.sendFriendRequest(b.real.publicKey, 0x01020304, message), { via: 'session' });
  await w.advance(100);
  t.is(b.requests.length, 1);
  t.is(b.requests[0]!.via, 'session');
  t.is(b.requests[0]!.nospam, 0x01020304);
  t.deepEqual([...b.requests[0]!.message], [...message]);
  t.is(toHex(b.requests[0]!.realPublicKey), toHex(a.real.publicKey));

  // A third peer, not online with anyone: through the onion.
  const c = await w.peer({ name: 'c' });
  a.friends.lock(c.real.publicKey);
  t.deepEqual(a.friends.sendFriendRequest(c.real.publicKey, 7, Uint8Array.of(65)), { via: 'onion', paths: 1 });
  t.is(c.requests.length, 1);
  t.is(c.requests[0]!.via, 'onion');
  t.is(c.requests[0]!.nospam, 7);
  t.is(a.friends.stats.friendRequestsSent, 2);
  for (const m of [new Uint8Array(0), new Uint8Array(1017)]) {
    t.is(t.throws(() => a.friends.sendFriendRequest(c.real.publicKey, 1, m), { instanceOf: FriendError })?.code, 'bad-request');
  }
  t.is(t.throws(() => a.friends.sendFriendRequest(c.real.publicKey, -1, Uint8Array.of(1)), { instanceOf: FriendError })?.code, 'bad-request');
  t.is(t.throws(() => a.friends.sendFriendRequest(new Uint8Array(32), 1, Uint8Array.of(1)), { instanceOf: FriendError })?.code, 'unknown-friend');
});

test('locks are counted: the last unlock forgets the friend, whose side sees it offline at once (kill packet)', async (t) => {
  const { a, b, w } = await pair();
  t.is(a.friends.lock(b.real.publicKey), 2);
  t.false(a.friends.unlock(b.real.publicKey), 'one lock left');
  t.true(a.online(b));
  const at = w.sim.clock.now();
  t.true(a.friends.unlock(b.real.publicKey), 'forgotten');
  t.false(a.friends.has(b.real.publicKey));
  t.false(a.friends.unlock(b.real.publicKey));
  t.deepEqual(a.onion.callsOf('removeFriend', b.real.publicKey), [undefined]);
  t.deepEqual(a.dhtCalls, [`add:${toHex(b.dhtKeys.publicKey)}`, `remove:${toHex(b.dhtKeys.publicKey)}`]);
  t.is(a.statuses.filter((s) => !s.online).length, 0, 'no status event on our side for a friend we dropped');
  await w.until(() => !b.online(a), 5_000, 10);
  t.false(b.online(a));
  const off = b.statuses.find((s) => !s.online)!;
  t.true(off.at - at <= 100, `b saw a offline ${off.at - at} ms after the unlock`);
  t.deepEqual([...a.errors, ...b.errors], []);
});

test('a clean quit is seen at once; the friend comes back online when the peer starts again with a new DHT key', async (t) => {
  const { a, b, w } = await pair();
  const at = w.sim.clock.now();
  await b.quit();
  await w.until(() => !a.online(b), 5_000, 10);
  const off = a.statuses.find((s) => !s.online)!;
  t.true(off.at - at <= 100, `offline ${off.at - at} ms after the quit`);
  const b2 = await w.peer({ name: 'b2', host: b.host, real: b.real });
  b2.friends.lock(a.real.publicKey);
  const took = await w.until(() => a.online(b2) && b2.online(a), 60_000);
  t.true(a.online(b2), `back online after ${took} ms`);
  t.log(`back online ${took} simulated ms after the restart`);
  t.is(toHex(a.friends.friend(b.real.publicKey)!.dhtPublicKey!), toHex(b2.dhtKeys.publicKey));
  t.deepEqual([...a.errors, ...b2.errors], []);
});

test('short and garbled share-relays (17) and friend request (18) packets are dropped and counted', async (t) => {
  const { a, b, w } = await pair();
  const raw = b.friends.connection(a.real.publicKey)!;
  const relay = { protocol: 'tcp' as const, ipPort: { host: '192.0.2.1', port: 33445 }, publicKey: new Uint8Array(32).fill(9) };
  const share = encodeShareRelays([relay]);
  const bad17 = [share.subarray(0, 10), Uint8Array.of(17, 99, 1, 2, 3), Uint8Array.of(17, 2), share.subarray(0, share.length - 1)];
  const bad18 = [Uint8Array.of(18), Uint8Array.of(18, 1, 2, 3, 4), new Uint8Array(1022).fill(18)];
  for (const p of [...bad17, ...bad18]) raw.sendLossless(p);
  // A UDP-family node in a share-relays packet: skipped, not the packet.
  const udpNode = new Uint8Array([17, 2, 192, 0, 2, 7, 0x82, 0xa5, ...new Uint8Array(32).fill(4)]);
  raw.sendLossless(udpNode);
  raw.sendLossless(encodeFriendRequestPacket({ nospam: 5, message: Uint8Array.of(1) }));
  await w.advance(500);
  const d = a.friends.stats.dropped;
  t.is(d.get('share-relays-malformed'), bad17.length);
  t.is(d.get('friend-request-malformed'), bad18.length);
  t.is(d.get('share-relays-udp-node'), 1);
  t.is(a.requests.length, 1, 'the good one still arrives');
  t.true(a.online(b), 'bad input does not break the friendship');
  t.deepEqual([...a.errors, ...b.errors], []);
});

test('bad API input is a typed error', async (t) => {
  const w = await world();
  const a = await w.peer({ name: 'a', config: { maxFriends: 2, maxLocks: 2 } });
  t.is(t.throws(() => a.friends.lock(new Uint8Array(31)), { instanceOf: FriendError })?.code, 'bad-key');
  const k = new Uint8Array(32).fill(1);
  a.friends.lock(k);
  a.friends.lock(k);
  t.is(t.throws(() => a.friends.lock(k), { instanceOf: FriendError })?.code, 'too-many-locks');
  a.friends.lock(new Uint8Array(32).fill(2));
  t.is(t.throws(() => a.friends.lock(new Uint8Array(32).fill(3)), { instanceOf: FriendError })?.code, 'too-many-friends');
  t.is(t.throws(() => a.friends.sendLossless(k, Uint8Array.of(64)), { instanceOf: FriendError })?.code, 'not-connected');
  t.is(t.throws(() => a.friends.setDhtKey(new Uint8Array(32).fill(7), k), { instanceOf: FriendError })?.code, 'unknown-friend');
  a.friends.close();
  t.is(t.throws(() => a.friends.lock(k), { instanceOf: FriendError })?.code, 'closed');
  t.is(a.friends.size, 0);
});
