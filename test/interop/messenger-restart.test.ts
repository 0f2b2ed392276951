/**
 * toxlink's Messenger against real c-toxcore 0.2.18 on loopback (issue 7's acceptance, part 2):
 * a C friend that quits cleanly is seen offline at once (its kill packet), and the same
 * friend restarted from its save, with a new DHT key, is seen online again. The times are
 * logged; for scale, c-toxcore alone measured 70 ms and 10.0 s here (issue 7).
 */
import { startBootstrapdFor } from './bootstrapd.ts';
import { keyOf, seen, startCPeer, startToxlink, upperHex, waitSeen } from './messenger-net.ts';
import { interopGate } from './skip.ts';

const gate = interopGate();

const ONLINE_TIMEOUT_MS = 40_000;
/** "At once": the kill packet is one datagram on loopback; the alive timeout would be 32 s. */
const OFFLINE_BOUND_MS = 2_000;

gate.test('a C friend that quits is offline at once; restarted from its save with a new DHT key, it is back online', async (t) => {
  const t0 = Date.now();
  const bootstrapd = await startBootstrapdFor(t);
  const tl = await startToxlink(t, bootstrapd);
  const c = await startCPeer(t, bootstrapd, 'c');
  const tlKey = upperHex(tl.keyPair.publicKey);
  const friend = tl.messenger.addFriendNoRequest(keyOf(c.me.publicKey));
  const cFriend = await c.peer.addFriendNoRequest(tlKey);
  const first = await waitSeen(tl, c.me.publicKey, 0, (s) => s === 'udp', ONLINE_TIMEOUT_MS, 'the C peer online at toxlink');
  await c.peer.waitFor('friend_connection', (e) => e.friend === cFriend && e.status === 'udp', ONLINE_TIMEOUT_MS);
  t.log(`online over UDP ${first.at - t0} ms after start (both added each other by key)`);

  // A clean quit: tox_kill sends a kill packet to each online friend.
  const save = await c.peer.getSavedata();
  const quitAt = Date.now();
  await c.peer.quit();
  const off = await waitSeen(tl, c.me.publicKey, quitAt, (s) => s === 'none', OFFLINE_BOUND_MS, 'the C peer offline at toxlink');
  t.is(tl.status(friend), 'none');
  t.is(tl.messenger.friend(friend).status, 'confirmed');
  const offlineMs = off.at - quitAt;
  t.log(`quit → offline at toxlink: ${offlineMs} ms (from the quit command; the C process exit included)`);
  t.true(offlineMs < OFFLINE_BOUND_MS);

  // The same identity from its save: a new process, a new DHT key.
  const restartAt = Date.now();
  const again = await startCPeer(t, bootstrapd, 'c-again', { savedata: save });
  t.is(again.me.toxId, c.me.toxId, 'the same Tox ID from the save');
  t.not(again.me.dhtId, c.me.dhtId, 'a new DHT key');
  const back = await waitSeen(tl, c.me.publicKey, restartAt, (s) => s !== 'none', ONLINE_TIMEOUT_MS, 'the restarted C peer online at toxlink');
  const backAtC = await again.peer.waitFor('friend_connection', (e) => e.friend === cFriend && e.status !== 'none', ONLINE_TIMEOUT_MS);
  const backAtCAt = Date.now();
  t.log(`restart → online at toxlink over ${back.status}: ${back.at - restartAt} ms; the C peer saw toxlink (${backAtC.status}) by ${backAtCAt - restartAt} ms`);
  const udp = await waitSeen(tl, c.me.publicKey, restartAt, (s) => s === 'udp', ONLINE_TIMEOUT_MS, 'the restarted C peer over UDP');
  if (udp !== back) t.log(`… and over UDP ${udp.at - restartAt} ms after the restart`);
  t.is(upperHex(tl.node.friends.friend(keyOf(c.me.publicKey))!.dhtPublicKey!), again.me.dhtId, 'toxlink uses the new DHT key');

  // Messages flow again both ways.
  tl.messenger.sendMessage(friend, 'welcome back');
  const msg = await again.peer.waitFor('friend_message', (e) => e.friend === cFriend, 10_000);
  t.is(msg.text, 'welcome back');
  await again.peer.sendMessage(cFriend, 'glad to be back');
  const reply = await waitSeenMessage(tl, friend, 'glad to be back');
  t.truthy(reply);
  t.is(seen(tl, c.me.publicKey, restartAt, (s) => s === 'none'), undefined, 'not offline again since the restart');
  t.deepEqual(tl.errors, []);
});

async function waitSeenMessage(tl: Awaited<ReturnType<typeof startToxlink>>, friend: number, text: string): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (tl.messages.some((m) => m.friendNumber === friend && m.text === text)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no message '${text}' at toxlink within 10 s`);
}
