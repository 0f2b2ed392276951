/**
 * The Messenger's state on a simulated network: `state()` gives a profile with the
 * identity, our name and status, and each friend's name, status, last DHT key and relays;
 * `Messenger.restore` brings a peer back from it (same friend numbers, same Tox ID) and the
 * friendship comes back; a request still unanswered is sent again after a restore; `close`
 * is seen at once by friends. The onion is the friend harness's FakeOnion (an in-test
 * directory). Simulated time only.
 */
import test from 'ava';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { toHex, toxIdBytes } from '../../src/wire/index.ts';
import { Messenger, MessengerError, ProfileError, decodeProfile, encodeProfile, newProfile } from '../../src/messenger/index.ts';
import { messengerPeer, onlinePair, world } from './harness.ts';

test('state() holds the identity, our info and each friend\'s, with its DHT key and the relays that reached it', async (t) => {
  const w = await world({ relays: 1 });
  const a = await messengerPeer(w, { name: 'a', tcp: true, relays: w.relays, nospam: 0xdeadbeef });
  const b = await messengerPeer(w, { name: 'b', tcp: true, relays: w.relays });
  a.m.setName('Alice');
  a.m.setStatusMessage('here');
  a.m.setStatus(1);
  b.m.setName('Bob');
  b.m.setStatus(2);
  const aOfB = a.m.addFriend(b.m.toxId(), 'hi');
  await w.advance(50);
  b.m.acceptRequest(a.real.publicKey);
  await w.until(() => a.sees(b) && b.sees(a), 60_000);
  await w.advance(1_000);
  a.m.addFriend(toxIdBytes(generateKeyPair().publicKey, 5), 'later'); // never online

  const p = a.m.state();
  t.is(toHex(p.secretKey), toHex(a.real.secretKey));
  t.is(p.nospam, 0xdeadbeef);
  t.is(new TextDecoder().decode(p.name), 'Alice');
  t.is(new TextDecoder().decode(p.statusMessage), 'here');
  t.is(p.userStatus, 1);
  t.is(p.friends.length, 2);
  const fb = p.friends[aOfB]!;
  t.is(toHex(fb.publicKey), toHex(b.real.publicKey));
  t.is(fb.request, undefined);
  t.is(new TextDecoder().decode(fb.name), 'Bob');
  t.is(fb.userStatus, 2);
  t.is(toHex(fb.dhtPublicKey!), toHex(b.dhtKeys.publicKey));
  t.true(fb.relays.some((r) => toHex(r.publicKey) === toHex(w.relays[0]!.endpoint.publicKey)), 'the shared relay is kept');
  t.true(fb.lastSeen > 0n);
  const fs = p.friends[1]!;
  t.deepEqual(fs.request && { message: new TextDecoder().decode(fs.request.message), nospam: fs.request.nospam }, { message: 'later', nospam: 5 });
  // The profile file keeps all of it.
  const back = decodeProfile(encodeProfile(p));
  t.is(toHex(back.friends[0]!.dhtPublicKey!), toHex(b.dhtKeys.publicKey));
  t.deepEqual(back.friends.map((f) => toHex(f.publicKey)), p.friends.map((f) => toHex(f.publicKey)));
  t.deepEqual([...a.allErrors(), ...b.allErrors()], []);
});

test('restored from its state, a peer has the same Tox ID and friend numbers, and its friends see it online again', async (t) => {
  const { w, a, b, aOfB, bOfA } = await onlinePair();
  a.m.setName('Alice');
  b.m.setName('Bob');
  const c = generateKeyPair();
  a.m.addFriendNoRequest(c.publicKey); // friend 1, never online
  a.m.removeFriend(1);
  const d = generateKeyPair();
  a.m.addFriendNoRequest(d.publicKey); // takes number 1 again
  const toxId = a.m.toxId();
  await w.advance(500);
  const profile = a.m.state();
  await a.quit();
  await w.until(() => !b.sees(a), 5_000, 10);

  const a2 = await messengerPeer(w, { name: 'a2', host: a.host, real: a.real, profile });
  t.is(a2.m.toxId(), toxId);
  t.deepEqual(a2.m.friendList(), [0, 1]);
  t.is(toHex(a2.m.friend(aOfB).publicKey), toHex(b.real.publicKey));
  t.is(toHex(a2.m.friend(1).publicKey), toHex(d.publicKey));
  t.is(new TextDecoder().decode(a2.m.name), 'Alice');
  t.is(new TextDecoder().decode(a2.m.friend(aOfB).name), 'Bob');
  t.is(a2.m.friend(aOfB).status, 'confirmed');
  t.is(toHex(a2.friends.friend(b.real.publicKey)!.dhtPublicKey!), toHex(b.dhtKeys.publicKey), 'the last DHT key is tried first');
  const took = await w.until(() => a2.sees(b) && b.sees(a2), 60_000);
  t.true(a2.sees(b) && b.sees(a2), `back online after ${took} ms`);
  t.log(`back online ${took} simulated ms after the restart`);
  b.m.sendMessage(bOfA, 'welcome back');
  await w.advance(200);
  t.deepEqual(a2.of('friend-message').map((m) => m.text), ['welcome back']);
  t.deepEqual(b.of('friend-name').map((e) => e.text).at(-1), 'Alice');
  t.deepEqual([...a2.allErrors(), ...b.allErrors()], []);
});

test('a friend request still unanswered is sent again after a restore', async (t) => {
  const w = await world();
  const a = await messengerPeer(w, { name: 'a' });
  const b = await messengerPeer(w, { name: 'b' });
  w.directory.paused = true;
  a.m.addFriend(b.m.toxId(), 'please');
  await w.advance(100);
  const profile = a.m.state();
  t.deepEqual(profile.friends[0]!.request && profile.friends[0]!.request.sent, false);
  await a.quit();
  w.directory.paused = false;
  const a2 = await messengerPeer(w, { name: 'a2', host: a.host, real: a.real, profile });
  t.is(a2.m.friend(0).status, 'added');
  await w.advance(100);
  t.is(a2.m.friend(0).status, 'requested');
  t.deepEqual(b.of('friend-request').map((r) => r.text), ['please']);
  b.m.acceptRequest(a.real.publicKey);
  await w.until(() => a2.sees(b) && b.sees(a2), 60_000);
  t.is(a2.m.friend(0).request, undefined);
  t.is(a2.m.state().friends[0]!.request, undefined);
});

test('restore refuses a profile out of range; close lets friends see us offline at once', async (t) => {
  const { w, a, b } = await onlinePair();
  const bad = { ...newProfile(generateKeyPair().secretKey, 1), userStatus: 7 } as unknown as ReturnType<typeof newProfile>;
  t.is(t.throws(() => Messenger.restore({ clock: w.sim.clock, friends: a.friends, profile: bad }), { instanceOf: ProfileError })?.code, 'invalid-value');
  const at = w.sim.clock.now();
  a.m.close();
  a.m.close();
  t.false(a.friends.has(b.real.publicKey), 'the friend layer let go of a\'s friends');
  await w.until(() => !b.sees(a), 5_000, 10);
  const off = b.events.find((e) => e.type === 'friend-connection' && e.value.status === 'none')!;
  t.true(off.at - at <= 100, `offline ${off.at - at} ms after close`);
  t.is((t.throws(() => a.m.addFriend(b.m.toxId(), 'x')) as MessengerError).code, 'closed');
  t.is((await t.throwsAsync(a.m.waitOnline(0)) as MessengerError).code, 'closed');
});
