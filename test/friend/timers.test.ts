/**
 * Every timer of the friend layer in simulated time: alive packets every 8 s, the 32 s
 * timeout (only alive packets count), the 122 s retry window and what happens when it
 * closes, including the outage after an outage that old c-toxcore never recovered from.
 * Real DhtNode and NetCrypto on a SimNetwork; the onion is the in-test directory of
 * harness.ts (FakeOnion), not the real OnionClient.
 */
import test from 'ava';
import { toHex } from '../../src/wire/index.ts';
import { befriend, world, type Peer, type World } from './harness.ts';

async function pair(o: { b?: Parameters<World['peer']>[0] } = {}): Promise<{ w: World; a: Peer; b: Peer; onlineAt: number }> {
  const w = await world();
  const a = await w.peer({ name: 'a' });
  const b = await w.peer({ name: 'b', ...o.b });
  befriend(a, b);
  await w.until(() => a.online(b) && b.online(a), 60_000, 10);
  if (!a.online(b) || !b.online(a)) throw new Error('not online');
  return { w, a, b, onlineAt: Math.max(a.statuses[0]!.at, b.statuses[0]!.at) };
}

const offlineAt = (p: Peer): number | undefined => p.statuses.find((s) => !s.online)?.at;

test('an alive packet goes out when the friend comes online, then every 8 s', async (t) => {
  const { w, a, b } = await pair();
  const t0 = a.statuses[0]!.at;
  t.is(a.friends.stats.aliveSent, 1, 'one at once');
  await w.advance(t0 + 7_999 - w.sim.clock.now());
  t.is(a.friends.stats.aliveSent, 1, 'none before 8 s');
  await w.advance(1);
  t.is(a.friends.stats.aliveSent, 2, 'the second at 8 s');
  await w.advance(72_000);
  t.is(a.friends.stats.aliveSent, 11, '80 s: 11 alive packets');
  t.true(b.friends.stats.aliveReceived >= 10);
  t.true(a.online(b) && b.online(a));
});

test('a friend is killed 32 s after its last alive packet, even while other packets keep coming', async (t) => {
  // b sends one alive packet (when it comes online) and never another, but data every second.
  const { w, a, b } = await pair({ b: { config: { pingIntervalMs: 1_000_000, connectionTimeoutMs: 1_000_001 } } });
  const lastAlive = b.statuses[0]!.at; // b's only alive packet left then; it arrives 10 ms later
  let sent = 0;
  while (a.online(b) && w.sim.clock.now() < lastAlive + 40_000) {
    if (b.online(a)) { b.friends.sendLossless(a.real.publicKey, Uint8Array.of(64, sent++ & 255)); }
    await w.advance(1_000);
  }
  await w.until(() => !a.online(b), 1_000, 1);
  const off = offlineAt(a)!;
  t.truthy(off);
  const after = off - (lastAlive + 10);
  t.true(after >= 32_000 && after <= 32_000 + 20, `killed ${after} ms after the last alive packet arrived`);
  t.true(a.lossless.length >= 25, `${a.lossless.length} data packets arrived meanwhile and did not count`);
  t.is(a.friends.stats.timeouts, 1);
  // The kill packet tells b at once; then both make a new session (the window is open).
  t.true(offlineAt(b)! - off <= 100, `b offline ${offlineAt(b)! - off} ms after a killed the session`);
  await w.until(() => a.online(b) && b.online(a), 10_000, 10);
  t.true(a.online(b) && b.online(a), 'a new session at once');
});

test('a cut link: both sides time out within 32 s and retry; it heals inside the 122 s window without the onion', async (t) => {
  const { w, a, b } = await pair();
  w.directory.paused = true; // no onion: only the retry window can bring them back
  const cut = w.sim.partition([b.host]);
  const cutAt = w.sim.clock.now();
  await w.until(() => !a.online(b) && !b.online(a), 40_000, 100);
  const offA = offlineAt(a)! - cutAt;
  t.true(offA > 24_000 && offA <= 32_100, `a saw b offline ${offA} ms after the cut`);
  const opened = a.friends.stats.sessionsOpened;
  await w.advance(30_000);
  t.true(a.friends.stats.sessionsOpened > opened, 'sessions are made again while the window is open');
  t.truthy(a.friends.friend(b.real.publicKey)!.dhtPublicKey, 'the DHT key is kept inside the window');
  cut.heal();
  const took = await w.until(() => a.online(b) && b.online(a), 30_000, 100);
  t.true(a.online(b) && b.online(a), 'back online');
  t.log(`back online ${took} ms after the heal, ${w.sim.clock.now() - cutAt} ms after the cut`);
  t.deepEqual([...a.errors, ...b.errors], []);
});

test('when the 122 s window closes the DHT key and address are forgotten; sessions stop; only the onion is left', async (t) => {
  const { w, a, b } = await pair();
  w.directory.paused = true;
  const keys: Array<[number, string | undefined, string]> = [];
  a.friends.on('dht-key', (e) => keys.push([w.sim.clock.now(), e.dhtPublicKey && toHex(e.dhtPublicKey), e.source]));
  w.sim.partition([b.host]);
  await w.until(() => !a.online(b), 40_000, 10);
  const off = offlineAt(a)!;
  await w.advance(off + 121_999 - w.sim.clock.now());
  t.truthy(a.friends.friend(b.real.publicKey)!.dhtPublicKey, 'kept at 121.999 s');
  await w.advance(1);
  const info = a.friends.friend(b.real.publicKey)!;
  t.is(info.dhtPublicKey, undefined, 'forgotten at 122 s after going offline');
  t.is(info.address, undefined);
  t.is(info.session, 'none');
  t.deepEqual(keys, [[off + 122_000, undefined, 'timeout']]);
  t.deepEqual(a.dhtCalls, [`add:${toHex(b.dhtKeys.publicKey)}`, `remove:${toHex(b.dhtKeys.publicKey)}`]);
  t.is(a.friends.stats.dhtKeysForgotten, 1);
  const opened = a.friends.stats.sessionsOpened;
  await w.advance(300_000);
  t.is(a.friends.stats.sessionsOpened, opened, 'no session is made without a DHT key');
  t.deepEqual(a.onion.callsOf('setFriendOnline', b.real.publicKey), [true, false], 'the onion searches again from the time b went offline');
});

test('an outage after an outage still reconnects (old c-toxcore never did): the same DHT key is taken again after the window closed', async (t) => {
  const { w, a, b } = await pair();
  const bKey = toHex(b.dhtKeys.publicKey);
  // First outage, 60 s: offline, then back inside the window.
  w.directory.paused = true;
  let cut = w.sim.partition([b.host]);
  await w.advance(60_000);
  t.false(a.online(b));
  cut.heal();
  await w.until(() => a.online(b) && b.online(a), 30_000, 100);
  t.true(a.online(b) && b.online(a), 'back after the first outage');
  // Second outage, 300 s: the window closes on both sides, the keys are forgotten.
  cut = w.sim.partition([b.host]);
  await w.advance(300_000);
  t.false(a.online(b));
  t.is(a.friends.friend(b.real.publicKey)!.dhtPublicKey, undefined);
  t.is(b.friends.friend(a.real.publicKey)!.dhtPublicKey, undefined);
  // The network heals, the onion finds b again under the DHT key it had all along.
  cut.heal();
  w.directory.paused = false;
  const healedAt = w.sim.clock.now();
  const took = await w.until(() => a.online(b) && b.online(a), 60_000, 100);
  t.true(a.online(b) && b.online(a), 'back after the second outage');
  t.log(`back ${took} ms after the second heal`);
  t.is(toHex(a.friends.friend(b.real.publicKey)!.dhtPublicKey!), bKey, 'the same DHT key as before');
  t.true(w.sim.clock.now() - healedAt <= 20_000);
  t.deepEqual(a.statuses.map((s) => s.online), [true, false, true, false, true]);
  t.deepEqual(a.dhtCalls, [`add:${bKey}`, `remove:${bKey}`, `add:${bKey}`]);
  t.deepEqual([...a.errors, ...b.errors], []);
});
