/**
 * Friends of the Messenger on a simulated network: befriending by Tox ID with a request one
 * way and both ways, the online packets, friend requests sent again 5, 10, 20 s apart,
 * incoming requests filtered by nospam, repeats and friends, every friend-add error of
 * c-toxcore, removing a friend, waiting with a timeout and an AbortSignal. The onion is the
 * friend harness's FakeOnion (an in-test directory), not the real OnionClient. Simulated
 * time only.
 */
import test from 'ava';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { formatToxId, fromHex, toHex, toxIdBytes } from '../../src/wire/index.ts';
import { MessengerError, SetNewNospamError } from '../../src/messenger/index.ts';
import { EPOCH_MS, befriendByRequest, messengerPeer, onlinePair, world } from './harness.ts';

const code = (e: unknown): string | undefined => (e instanceof MessengerError ? e.code : undefined);

test('befriend by Tox ID: a request over the onion, accepted; both come online over UDP and see each other\'s name and status', async (t) => {
  const w = await world();
  const a = await messengerPeer(w, { name: 'a' });
  const b = await messengerPeer(w, { name: 'b', nospam: 0xcafe0001 });
  a.m.setName('Alice');
  a.m.setStatusMessage('reading the spec');
  a.m.setStatus(1);
  b.m.setName('Bob');
  t.is(b.m.toxId(), formatToxId({ publicKey: b.real.publicKey, nospam: 0xcafe0001 }));
  t.is(toHex(b.m.toxIdBytes()), toHex(toxIdBytes(b.real.publicKey, 0xcafe0001)));

  const aOfB = a.m.addFriend(b.m.toxId(), 'hi Bob, it is Alice');
  t.is(aOfB, 0);
  t.is(a.m.friend(aOfB).status, 'added');
  await w.advance(10);
  t.is(a.m.friend(aOfB).status, 'requested', 'sent at once through the onion');
  const requests = b.of('friend-request');
  t.is(requests.length, 1);
  t.is(requests[0]!.text, 'hi Bob, it is Alice');
  t.is(requests[0]!.via, 'onion');
  t.is(toHex(requests[0]!.publicKey), toHex(a.real.publicKey));
  t.deepEqual(b.m.pendingRequests().map((r) => toHex(r.publicKey)), [toHex(a.real.publicKey)]);

  const bOfA = b.m.acceptRequest(requests[0]!.publicKey);
  t.deepEqual(b.m.pendingRequests(), []);
  const took = await w.until(() => a.sees(b) && b.sees(a), 60_000);
  t.log(`online ${took} simulated ms after the request was accepted`);
  t.true(a.sees(b) && b.sees(a));
  t.is(a.m.friend(aOfB).connection, 'udp');
  t.is(a.m.friend(aOfB).request, undefined, 'the request is answered');
  t.deepEqual(a.of('friend-connection').map((e) => e.status), ['udp']);
  t.deepEqual(b.of('friend-connection').map((e) => [e.friendNumber, e.status]), [[bOfA, 'udp']]);
  await w.advance(100);
  t.is(new TextDecoder().decode(b.m.friend(bOfA).name), 'Alice');
  t.is(new TextDecoder().decode(b.m.friend(bOfA).statusMessage), 'reading the spec');
  t.is(b.m.friend(bOfA).userStatus, 1);
  t.deepEqual(b.of('friend-name').map((e) => e.text), ['Alice']);
  t.deepEqual(b.of('friend-status').map((e) => e.userStatus), [1]);
  t.deepEqual(a.of('friend-name').map((e) => e.text), ['Bob']);
  t.deepEqual(a.of('friend-status-message').map((e) => e.text), ['']);
  t.deepEqual(a.of('friend-typing').map((e) => e.typing), [false]);
  const seen = a.m.friend(aOfB).lastSeen;
  t.true(seen >= BigInt(Math.floor(EPOCH_MS / 1000)) && seen <= BigInt(Math.floor((EPOCH_MS + w.sim.clock.now()) / 1000)), `last seen ${seen}`);
  t.deepEqual([...a.allErrors(), ...b.allErrors()], []);
});

test('requests both ways: each adds the other by Tox ID, and both come online without accepting anything', async (t) => {
  const w = await world();
  const a = await messengerPeer(w, { name: 'a' });
  const b = await messengerPeer(w, { name: 'b' });
  const aOfB = a.m.addFriend(b.m.toxId(), 'from a');
  const bOfA = b.m.addFriend(a.m.toxId(), 'from b');
  await w.until(() => a.sees(b) && b.sees(a), 60_000);
  t.true(a.sees(b) && b.sees(a));
  t.is(a.m.friend(aOfB).status, 'online');
  t.is(b.m.friend(bOfA).status, 'online');
  t.is(a.of('friend-request').length, 0, 'a request from a friend is not shown');
  t.true(a.m.stats.dropped.get('request-from-friend') + b.m.stats.dropped.get('request-from-friend') >= 1);
  t.deepEqual([...a.allErrors(), ...b.allErrors()], []);
});

test('an unanswered request is sent again 5, 10, 20 s apart; one the onion cannot carry yet is tried every 500 ms', async (t) => {
  const w = await world();
  const a = await messengerPeer(w, { name: 'a' });
  const b = await messengerPeer(w, { name: 'b' });
  w.directory.paused = true; // the onion carries nothing
  const n = a.m.addFriend(b.m.toxId(), 'are you there?');
  await w.advance(1_900);
  t.is(a.m.stats.friendRequestsSent, 0);
  t.is(a.m.friend(n).status, 'added');
  t.is(a.onion.callsOf('sendFriendRequest', b.real.publicKey).length, 4, 'tried at 0, 500, 1000, 1500 ms');
  w.directory.paused = false;
  await w.until(() => a.m.stats.friendRequestsSent > 0, 1_000, 10);
  const first = w.sim.clock.now();
  t.is(first, 2_000, 'the next try, at 2000 ms, goes out');
  t.is(a.m.stats.friendRequestsSent, 1);
  t.is(a.m.friend(n).status, 'requested');
  t.true(a.m.friend(n).request!.sent);
  // b never answers: sent again after 5 s, then 10, then 20.
  const sentAt: number[] = [];
  let last = 1;
  while (w.sim.clock.now() - first < 40_000) {
    await w.sim.clock.advanceAsync(10);
    if (a.m.stats.friendRequestsSent > last) {
      last = a.m.stats.friendRequestsSent;
      sentAt.push(w.sim.clock.now() - first);
    }
  }
  t.deepEqual(sentAt, [5_000, 15_000, 35_000]);
  t.is(b.of('friend-request').length, 1, 'b shows it once: repeats are dropped');
  t.is(b.m.stats.dropped.get('request-repeated'), 3);
});

test('incoming requests: to an old nospam refused, repeats and friends dropped, heard again after a removal', async (t) => {
  const w = await world();
  const a = await messengerPeer(w, { name: 'a' });
  const b = await messengerPeer(w, { name: 'b', nospam: 1 });
  const c = await messengerPeer(w, { name: 'c' });
  const oldId = b.m.toxId();
  b.m.setNospam(2);
  t.is(b.m.nospam, 2);
  a.m.addFriend(oldId, 'to your old id');
  await w.advance(100);
  t.is(b.of('friend-request').length, 0);
  t.is(b.m.stats.dropped.get('request-wrong-nospam'), 1);
  c.m.addFriend(b.m.toxId(), 'to your new id');
  await w.advance(100);
  t.is(b.of('friend-request').length, 1);
  // c and b become friends; c's remove and re-add is a new request b hears again.
  const bOfC = b.m.acceptRequest(c.real.publicKey);
  await w.until(() => b.sees(c) && c.sees(b), 60_000);
  b.m.removeFriend(bOfC);
  t.throws(() => b.m.friend(bOfC), { instanceOf: MessengerError });
  await w.until(() => !c.sees(b), 5_000, 10);
  c.m.removeFriend(b.real.publicKey);
  c.m.addFriend(b.m.toxId(), 'again');
  await w.advance(100);
  t.deepEqual(b.of('friend-request').map((r) => r.text), ['to your new id', 'again']);
  t.is(t.throws(() => b.m.acceptRequest(a.real.publicKey), { instanceOf: MessengerError })?.code, 'no-request');
  t.deepEqual([...a.allErrors(), ...b.allErrors(), ...c.allErrors()], []);
});

test('every friend-add error of c-toxcore, with its rules', async (t) => {
  const w = await world();
  const a = await messengerPeer(w, { name: 'a', config: { maxFriends: 4 } });
  const b = generateKeyPair();
  const bId = formatToxId({ publicKey: b.publicKey, nospam: 7 });
  const err = (f: () => unknown) => code(t.throws(f));

  t.is(err(() => a.m.addFriend(undefined as unknown as string, 'x')), 'null');
  t.is(err(() => a.m.addFriend(bId, null as unknown as string)), 'null');
  t.is(err(() => a.m.addFriendNoRequest(undefined as unknown as Uint8Array)), 'null');
  t.is(err(() => a.m.addFriend(bId, new Uint8Array(1017))), 'too-long');
  t.is(err(() => a.m.addFriend('zz' + bId.slice(2), 'x')), 'bad-address');
  t.is(err(() => a.m.addFriend(bId.slice(2), 'x')), 'bad-address');
  t.is(err(() => a.m.addFriend(new Uint8Array(37), 'x')), 'bad-address');
  // A typo: the checksum no longer matches.
  const typo = (bId[0] === 'A' ? 'B' : 'A') + bId.slice(1);
  t.is(err(() => a.m.addFriend(typo, 'x')), 'bad-checksum');
  const bytes = toxIdBytes(b.publicKey, 7);
  bytes[37]! ^= 1;
  t.is(err(() => a.m.addFriend(bytes, 'x')), 'bad-checksum');
  // A key c-toxcore refuses (last byte 0x80 or more), even with a matching checksum.
  const badKey = b.publicKey.slice();
  badKey[31] = 0x80;
  t.is(err(() => a.m.addFriend(toxIdBytes(badKey, 7), 'x')), 'bad-checksum');
  t.is(err(() => a.m.addFriendNoRequest(badKey)), 'bad-checksum');
  t.is(err(() => a.m.addFriend(bId, '')), 'no-message');
  t.is(err(() => a.m.addFriend(a.m.toxId(), 'me')), 'own-key');
  t.is(err(() => a.m.addFriendNoRequest(a.real.publicKey)), 'own-key');

  // A request is waiting: the same nospam again is already-sent; another nospam moves the request to it.
  const n = a.m.addFriend(bId, 'hello');
  t.is(err(() => a.m.addFriend(bId, 'hello again')), 'already-sent');
  t.is(err(() => a.m.addFriendNoRequest(b.publicKey)), 'already-sent');
  const moved = t.throws(() => a.m.addFriend(formatToxId({ publicKey: b.publicKey, nospam: 8 }), 'x'), { instanceOf: SetNewNospamError });
  t.is(moved?.code, 'set-new-nospam');
  t.is(moved?.friendNumber, n);
  t.is(a.m.friend(n).request!.nospam, 8);
  t.is(new TextDecoder().decode(a.m.friend(n).request!.message), 'hello', 'the message stays');

  // A confirmed friend: already-sent whatever the nospam.
  const c = generateKeyPair();
  const cn = a.m.addFriendNoRequest(c.publicKey);
  t.is(a.m.friend(cn).status, 'confirmed');
  t.is(err(() => a.m.addFriend(formatToxId({ publicKey: c.publicKey, nospam: 99 }), 'x')), 'already-sent');

  // The friend layer holds 4 friends: the fifth is malloc.
  a.m.addFriendNoRequest(generateKeyPair().publicKey);
  a.m.addFriendNoRequest(generateKeyPair().publicKey);
  t.is(a.m.friendList().length, 4);
  t.is(err(() => a.m.addFriendNoRequest(generateKeyPair().publicKey)), 'malloc');
  t.is(a.m.friendList().length, 4, 'nothing was added');

  // Numbers: the lowest free one is taken again.
  a.m.removeFriend(1);
  t.deepEqual(a.m.friendList(), [0, 2, 3]);
  t.is(a.m.addFriendNoRequest(fromHex('01'.repeat(32))), 1);
  t.is(err(() => a.m.removeFriend(9)), 'friend-not-found');
  a.m.close();
  t.is(err(() => a.m.addFriendNoRequest(generateKeyPair().publicKey)), 'closed');
});

test('removing an online friend: it sees us offline at once, and the number is free', async (t) => {
  const { w, a, b, aOfB, bOfA } = await onlinePair();
  const at = w.sim.clock.now();
  a.m.removeFriend(aOfB);
  t.deepEqual(a.m.friendList(), []);
  t.false(a.friends.has(b.real.publicKey), 'the friend layer let go');
  await w.until(() => !b.sees(a), 5_000, 10);
  const off = b.events.find((e) => e.type === 'friend-connection' && e.value.status === 'none');
  t.truthy(off);
  t.true(off!.at - at <= 100, `offline ${off!.at - at} ms after the removal`);
  t.is(b.m.friend(bOfA).status, 'confirmed');
  t.is(a.of('friend-connection').filter((e) => e.status === 'none').length, 0, 'no event for a friend we removed');
});

test('waitOnline: resolves with the path, times out in simulated time, and is aborted by a signal', async (t) => {
  const w = await world();
  const a = await messengerPeer(w, { name: 'a' });
  const b = await messengerPeer(w, { name: 'b' });
  const n = a.m.addFriendNoRequest(b.real.publicKey);
  // Nobody on b's side: a timeout of 10 s on the simulated clock.
  const timedOut = a.m.waitOnline(n, { timeoutMs: 10_000 });
  let settled = false;
  timedOut.catch(() => { settled = true; });
  await w.advance(9_900);
  t.false(settled);
  await w.advance(200);
  t.is(code(await t.throwsAsync(timedOut)), 'timeout');
  // Aborted.
  const ac = new AbortController();
  const aborted = a.m.waitOnline(n, { signal: ac.signal });
  ac.abort();
  t.is(code(await t.throwsAsync(aborted)), 'aborted');
  t.is(code(await t.throwsAsync(a.m.waitOnline(n, { signal: AbortSignal.abort() }))), 'aborted');
  // b adds a: online.
  const online = a.m.waitOnline(b.real.publicKey, { timeoutMs: 60_000 });
  b.m.addFriendNoRequest(a.real.publicKey);
  await w.until(() => a.sees(b), 60_000);
  t.is(await online, 'udp');
  t.is(await a.m.waitOnline(n), 'udp', 'at once when online');
  // A friend removed while waited for.
  const c = generateKeyPair();
  const cn = a.m.addFriendNoRequest(c.publicKey);
  const gone = a.m.waitOnline(cn);
  a.m.removeFriend(cn);
  t.is(code(await t.throwsAsync(gone)), 'friend-not-found');
  t.deepEqual([...a.allErrors(), ...b.allErrors()], []);
});

test('befriendByRequest works for a third peer too (harness check) and friends keep separate numbers', async (t) => {
  const w = await world();
  const a = await messengerPeer(w, { name: 'a' });
  const b = await messengerPeer(w, { name: 'b' });
  const c = await messengerPeer(w, { name: 'c' });
  const ab = await befriendByRequest(w, a, b);
  const ac = await befriendByRequest(w, a, c);
  t.deepEqual([ab.aOfB, ac.aOfB], [0, 1]);
  t.deepEqual(a.m.friends().map((f) => [f.friendNumber, f.status]), [[0, 'online'], [1, 'online']]);
});

test('a path change while online is a friend-connection event: UDP cut, over the relay; UDP back, direct again', async (t) => {
  const w = await world({ relays: 1 });
  const a = await messengerPeer(w, { name: 'a', tcp: true, relays: w.relays });
  const b = await messengerPeer(w, { name: 'b', tcp: true, relays: w.relays });
  const { aOfB } = await befriendByRequest(w, a, b);
  // The session may come up through the relay first; it settles on UDP.
  await w.until(() => a.m.connectionStatus(aOfB) === 'udp', 30_000);
  t.is(a.m.connectionStatus(aOfB), 'udp');
  const before = a.of('friend-connection').length;
  w.setUdp(a, b, false);
  await w.until(() => a.m.connectionStatus(aOfB) === 'tcp', 60_000);
  t.is(a.m.connectionStatus(aOfB), 'tcp');
  b.m.sendMessage(b.m.friendNumber(a.real.publicKey)!, 'through the relay');
  await w.advance(500);
  t.deepEqual(a.of('friend-message').map((m) => m.text), ['through the relay']);
  w.setUdp(a, b, true);
  await w.until(() => a.m.connectionStatus(aOfB) === 'udp', 120_000);
  t.deepEqual(a.of('friend-connection').slice(before).map((e) => e.status), ['tcp', 'udp']);
  t.true(a.of('friend-connection').every((e) => e.status !== 'none'), 'online throughout');
  t.deepEqual([...a.allErrors(), ...b.allErrors()], []);
});
