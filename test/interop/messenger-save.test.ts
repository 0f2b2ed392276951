/**
 * toxlink's Messenger against real c-toxcore 0.2.18 on loopback (issue 7's acceptance, part 4):
 * a c-toxcore save brought to toxlink.
 *
 * A C peer (`orig`) is friends with another C peer (`buddy`), online with it, and has sent a
 * friend request to a third key. Its save (`tox_get_savedata`) is taken and it quits. toxlink
 * loads the save (decodeToxSave → profileFromToxSave → Messenger.restore, the ToxNode on the
 * save's key pair), starting only from the DHT nodes and TCP relays the save lists: it has
 * orig's Tox ID and friends, in order, and buddy connects to it as if it were orig (buddy's
 * friend number for orig comes online, over UDP) and messages cross both ways.
 */
import { generateKeyPair } from '../../src/crypto/index.ts';
import { decodeToxSave, profileFromToxSave } from '../../src/messenger/index.ts';
import { formatToxId } from '../../src/wire/index.ts';
import { startBootstrapdFor } from './bootstrapd.ts';
import { keyOf, startCPeer, startToxlink, upperHex, waitSeen, waitUntil } from './messenger-net.ts';
import { interopGate } from './skip.ts';

const gate = interopGate();

const ONLINE_TIMEOUT_MS = 40_000;

/** A public key c-toxcore accepts as a friend's (last byte under 0x80). */
function friendKey(): Uint8Array {
  for (;;) {
    const key = generateKeyPair().publicKey;
    if (key[31]! < 0x80) return key;
  }
}

gate.test('a C save loaded by toxlink: the same Tox ID and friends, and the C friend connects to toxlink as to the original', async (t) => {
  const t0 = Date.now();
  const bootstrapd = await startBootstrapdFor(t);
  const [orig, buddy] = await Promise.all([
    startCPeer(t, bootstrapd, 'orig', { nospam: 0x0a1b2c3d }),
    startCPeer(t, bootstrapd, 'buddy'),
  ]);
  const buddyAtOrig = await orig.peer.addFriendNoRequest(buddy.me.publicKey);
  const origAtBuddy = await buddy.peer.addFriendNoRequest(orig.me.publicKey);
  const stranger = friendKey();
  const strangerAtOrig = await orig.peer.addFriend(formatToxId({ publicKey: stranger, nospam: 0x600d }), 'will you be my friend?');
  await Promise.all([
    orig.peer.waitFor('friend_connection', (e) => e.friend === buddyAtOrig && e.status === 'udp', ONLINE_TIMEOUT_MS),
    buddy.peer.waitFor('friend_connection', (e) => e.friend === origAtBuddy && e.status === 'udp', ONLINE_TIMEOUT_MS),
  ]);
  t.log(`orig and buddy online over UDP ${Date.now() - t0} ms after start`);

  const info = await orig.peer.info();
  const data = await orig.peer.getSavedata();
  const quitAt = Date.now();
  await orig.peer.quit();
  await buddy.peer.waitFor('friend_connection', (e) => e.friend === origAtBuddy && e.status === 'none', 5_000);
  t.log(`buddy saw orig quit after ${Date.now() - quitAt} ms`);

  // toxlink loads orig's save.
  const save = decodeToxSave(data);
  const profile = profileFromToxSave(save);
  t.log(`orig's save: ${data.length} bytes, ${save.friends.length} friends, ${save.dhtNodes.length} DHT nodes, ${save.tcpRelays.length} TCP relays`);
  t.true(profile.dhtNodes.length > 0 && profile.tcpRelays.length > 0, 'the save lists nodes to start from');
  const loadedAt = Date.now();
  const tl = await startToxlink(t, bootstrapd, { profile, bootstrapFrom: 'profile' });
  t.is(tl.messenger.toxId(), orig.me.toxId, 'the same Tox ID');
  t.is(upperHex(tl.keyPair.publicKey), orig.me.publicKey);
  t.deepEqual(tl.messenger.friendList(), info.friends.map((f) => f.friend), 'the same friend numbers');
  t.deepEqual(tl.messenger.friends().map((f) => upperHex(f.publicKey)), info.friends.map((f) => f.publicKey), 'the same friends, in order');
  t.is(tl.messenger.friendNumber(keyOf(buddy.me.publicKey)), buddyAtOrig);
  t.is(tl.messenger.friend(buddyAtOrig).status, 'confirmed');
  const request = tl.messenger.friend(strangerAtOrig).request;
  t.is(new TextDecoder().decode(request?.message), 'will you be my friend?');
  t.is(request?.nospam, 0x600d);

  // buddy connects to toxlink as it did to orig.
  const up = await waitSeen(tl, buddy.me.publicKey, loadedAt, (s) => s === 'udp', ONLINE_TIMEOUT_MS, 'buddy online at toxlink over UDP');
  t.is(up.friendNumber, buddyAtOrig);
  const atBuddy = await buddy.peer.waitFor('friend_connection', (e) => e.friend === origAtBuddy && e.status !== 'none', ONLINE_TIMEOUT_MS);
  t.log(`toxlink started from orig's save: buddy online at toxlink over UDP ${up.at - loadedAt} ms after the start; buddy saw its friend ${origAtBuddy} (orig) online over ${atBuddy.status} by ${Date.now() - loadedAt} ms`);
  if (atBuddy.status !== 'udp') {
    await buddy.peer.waitFor('friend_connection', (e) => e.friend === origAtBuddy && e.status === 'udp', ONLINE_TIMEOUT_MS);
    t.log(`… and over UDP by ${Date.now() - loadedAt} ms`);
  }

  tl.messenger.sendMessage(buddyAtOrig, 'it is me, orig, in TypeScript now');
  t.is((await buddy.peer.waitFor('friend_message', (e) => e.friend === origAtBuddy, 10_000)).text, 'it is me, orig, in TypeScript now');
  await buddy.peer.sendMessage(origAtBuddy, 'welcome, orig');
  await waitUntil('buddy\'s message', () => (tl.messages.some((m) => m.friendNumber === buddyAtOrig && m.text === 'welcome, orig') ? true : undefined), 10_000);
  t.deepEqual(tl.errors, []);
});
