/**
 * DHT-key rotation: a friend that restarts comes back with a new DHT key, learned from the
 * onion or from its handshake, and the new key replaces the old one everywhere (the DHT
 * search, the net_crypto session, the onion) exactly once. Real DhtNode and NetCrypto on a
 * SimNetwork; the onion is the in-test directory of harness.ts (FakeOnion), not the real
 * OnionClient.
 */
import test from 'ava';
import { toHex } from '../../src/wire/index.ts';
import type { FriendConnectionsEvents } from '../../src/friend/index.ts';
import { befriend, world, type Peer } from './harness.ts';

function keyEvents(p: Peer): Array<[string | undefined, string]> {
  const out: Array<[string | undefined, string]> = [];
  p.friends.on('dht-key', (e: FriendConnectionsEvents['dht-key']) => out.push([e.dhtPublicKey && toHex(e.dhtPublicKey), e.source]));
  return out;
}

for (const source of ['onion', 'handshake'] as const) {
  test(`a restarted friend's new DHT key (from the ${source}) replaces the old one everywhere, once`, async (t) => {
    const w = await world();
    const a = await w.peer({ name: 'a' });
    const b = await w.peer({ name: 'b' });
    const keys = keyEvents(a);
    befriend(a, b);
    await w.until(() => a.online(b) && b.online(a), 60_000);
    const oldKey = toHex(b.dhtKeys.publicKey);
    await b.quit();
    await w.until(() => !a.online(b), 5_000, 10);
    // Only one side may learn the new key from the onion: the other learns it from the session.
    const b2 = await w.peer({ name: 'b2', host: b.host, real: b.real });
    if (source === 'onion') w.directory.block(b2.real.publicKey, a.real.publicKey);
    else w.directory.block(a.real.publicKey, b.real.publicKey);
    b2.friends.lock(a.real.publicKey);
    const took = await w.until(() => a.online(b2) && b2.online(a), 60_000, 10);
    t.true(a.online(b2) && b2.online(a), `back online after ${took} ms`);
    const newKey = toHex(b2.dhtKeys.publicKey);
    t.deepEqual(keys, [[oldKey, 'onion'], [newKey, source]]);
    t.deepEqual(a.dhtCalls, [`add:${oldKey}`, `remove:${oldKey}`, `add:${newKey}`], 'the DHT search moved once');
    t.deepEqual(a.onion.callsOf('setFriendDhtKey', b.real.publicKey), [oldKey, newKey], 'the onion was told once');
    t.is(toHex(a.nc.connection(b.real.publicKey)!.peerDhtPublicKey), newKey, 'the session is one with the new key');
    t.is(a.friends.stats.dhtKeyChanges, 2);
    // The onion then tells a the same new key again and again: nothing changes.
    w.directory.unblock(a.real.publicKey, b.real.publicKey);
    w.directory.unblock(b2.real.publicKey, a.real.publicKey);
    await w.advance(60_000);
    t.is(a.friends.stats.dhtKeyChanges, 2);
    t.is(a.dhtCalls.length, 3);
    t.true(a.online(b2));
    t.deepEqual([...a.errors, ...b2.errors], []);
  });
}

test('a crashed friend that restarts is seen offline within 32 s and back with its new key', async (t) => {
  const w = await world();
  const a = await w.peer({ name: 'a' });
  const b = await w.peer({ name: 'b' });
  befriend(a, b);
  await w.until(() => a.online(b) && b.online(a), 60_000);
  const crashAt = w.sim.clock.now();
  await b.crash();
  const b2 = await w.peer({ name: 'b2', host: b.host, real: b.real });
  b2.friends.lock(a.real.publicKey);
  await w.until(() => a.friends.friend(b.real.publicKey)!.dhtPublicKey !== undefined
    && toHex(a.friends.friend(b.real.publicKey)!.dhtPublicKey!) === toHex(b2.dhtKeys.publicKey) && a.online(b2), 60_000, 10);
  t.true(a.online(b2));
  const off = a.statuses.find((s) => !s.online);
  t.truthy(off, 'a saw the old session go');
  t.true(off!.at - crashAt <= 32_100, `offline ${off!.at - crashAt} ms after the crash`);
  t.log(`offline ${off!.at - crashAt} ms after the crash (the new key's handshake or the alive timeout); online again ${w.sim.clock.now() - crashAt} ms after it`);
  t.deepEqual([...a.errors, ...b2.errors], []);
});

test('three friends: one restarts, the other two see it back, each moving its DHT entry once', async (t) => {
  const w = await world();
  const a = await w.peer({ name: 'a' });
  const b = await w.peer({ name: 'b' });
  const c = await w.peer({ name: 'c' });
  befriend(a, b);
  befriend(a, c);
  befriend(b, c);
  const all = () => a.online(b) && a.online(c) && b.online(a) && b.online(c) && c.online(a) && c.online(b);
  await w.until(all, 60_000);
  t.true(all(), 'everyone online');
  await c.quit();
  await w.until(() => !a.online(c) && !b.online(c), 5_000, 10);
  const c2 = await w.peer({ name: 'c2', host: c.host, real: c.real });
  c2.friends.lock(a.real.publicKey);
  c2.friends.lock(b.real.publicKey);
  const took = await w.until(() => a.online(c2) && b.online(c2) && c2.online(a) && c2.online(b), 60_000);
  t.true(a.online(c2) && b.online(c2), `back after ${took} ms`);
  for (const p of [a, b]) {
    const cKeys = p.dhtCalls.filter((x) => x.endsWith(toHex(c.dhtKeys.publicKey)) || x.endsWith(toHex(c2.dhtKeys.publicKey)));
    t.deepEqual(cKeys, [`add:${toHex(c.dhtKeys.publicKey)}`, `remove:${toHex(c.dhtKeys.publicKey)}`, `add:${toHex(c2.dhtKeys.publicKey)}`]);
  }
  t.true(a.online(b) && b.online(a), 'a and b were never disturbed');
  t.is(a.statuses.filter((s) => s.key === toHex(b.real.publicKey)).length, 1);
  t.deepEqual([...a.errors, ...b.errors, ...c2.errors], []);
});

test('a new key routed through the DHT counts like one from the onion; reports for strangers and bad keys are counted and dropped', async (t) => {
  const w = await world();
  const a = await w.peer({ name: 'a' });
  const b = await w.peer({ name: 'b' });
  const keys = keyEvents(a);
  befriend(a, b);
  await w.until(() => a.online(b) && b.online(a), 60_000);
  const fake = new Uint8Array(32).fill(0x42);
  const report = { realPublicKey: b.real.publicKey, dhtPublicKey: fake, relays: [], via: 'dht' as const };
  a.onion.events.emit('dht-key', report);
  a.onion.events.emit('dht-key', report);
  t.false(a.online(b), 'the session made with the old key went');
  t.deepEqual(keys.map((k) => k[1]), ['onion', 'dht'], 'one change, though reported twice');
  t.deepEqual(a.onion.callsOf('setFriendDhtKey', b.real.publicKey), [toHex(b.dhtKeys.publicKey), toHex(fake)]);
  t.is(a.friends.friend(b.real.publicKey)!.session, 'cookie-requesting', 'a session with the new key is being made');
  a.onion.events.emit('dht-key', { ...report, realPublicKey: new Uint8Array(32).fill(1) });
  a.onion.events.emit('dht-key', { ...report, dhtPublicKey: new Uint8Array(31) });
  t.is(a.friends.stats.dropped.get('dht-key-not-friend'), 1);
  t.is(a.friends.stats.dropped.get('bad-dht-key'), 1);
  // The real key comes back from the onion: b is found again.
  await w.until(() => a.online(b) && b.online(a), 60_000);
  t.true(a.online(b));
  t.is(keys.length, 3, 'one more change: back to the real key');
  t.deepEqual(keys[2]![0], toHex(b.dhtKeys.publicKey));
  t.true(keys[2]![1] === 'onion' || keys[2]![1] === 'handshake', keys[2]![1]);
  t.is(toHex(a.friends.friend(b.real.publicKey)!.dhtPublicKey!), toHex(b.dhtKeys.publicKey));
  t.deepEqual([...a.errors, ...b.errors], []);
});
