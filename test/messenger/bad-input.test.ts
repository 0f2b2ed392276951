/**
 * What the Messenger does with packets it does not want, on a simulated network: the
 * online (24) and offline (25) rules of `m_handle_packet` seen from a bare friend-layer peer
 * that plays the other Messenger by hand, unknown ids ignored and counted, malformed
 * packets dropped and counted by reason, A/V lossy ids dropped, and the friendship
 * unharmed. The onion is the friend harness's FakeOnion (an in-test directory). Simulated
 * time only.
 */
import test from 'ava';
import { DataPacket } from '../../src/wire/index.ts';
import { encodeMessage, encodeName, encodeOffline, encodeOnline } from '../../src/messenger/index.ts';
import { messengerPeer, onlinePair, world } from './harness.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

test('a friend is online only once its online packet came; we answer it, then send name, status message, user status, typing', async (t) => {
  const w = await world();
  const a = await messengerPeer(w, { name: 'a' });
  const c = await w.peer({ name: 'c' }); // a friend layer without a Messenger: we play its Messenger by hand
  a.m.setName('Alice');
  const aOfC = a.m.addFriendNoRequest(c.real.publicKey);
  c.friends.lock(a.real.publicKey);
  await w.until(() => c.online(a) && a.friends.friend(c.real.publicKey)?.online === true, 60_000);
  await w.advance(100);
  // a said it is online, and nothing more: c has not.
  t.deepEqual(c.lossless.map((p) => p.id), [DataPacket.ONLINE]);
  t.is(a.m.friend(aOfC).status, 'confirmed');
  t.is(a.m.friend(aOfC).connection, 'none');
  const raw = c.friends.connection(a.real.publicKey)!;
  raw.sendLossless(encodeName(utf8('Carol')));
  raw.sendLossless(encodeMessage('normal', utf8('too early')));
  raw.sendLossless(Uint8Array.of(DataPacket.ONLINE, 1)); // not a valid online packet
  await w.advance(100);
  t.is(a.m.stats.dropped.get('not-online'), 2);
  t.is(a.m.stats.dropped.get('malformed-trailing-bytes'), 1);
  t.is(a.of('friend-name').length + a.of('friend-message').length, 0);
  t.is(a.m.friend(aOfC).status, 'confirmed');

  raw.sendLossless(encodeOnline());
  await w.advance(100);
  t.is(a.m.friend(aOfC).status, 'online');
  t.deepEqual(a.of('friend-connection').map((e) => e.status), ['udp']);
  // Our answer and what do_friends sends, in c-toxcore's order (compare test/messenger/packets.test.ts).
  t.deepEqual(c.lossless.map((p) => p.id), [24, 24, 48, 49, 50, 51]);
  t.deepEqual([...c.lossless[2]!.data], [48, ...utf8('Alice')]);
  t.deepEqual([...c.lossless[4]!.data], [50, 0]);
  t.deepEqual([...c.lossless[5]!.data], [51, 0]);

  // Another online packet changes nothing; an offline packet takes the friend offline, session up.
  raw.sendLossless(encodeOnline());
  raw.sendLossless(encodeOffline());
  await w.advance(100);
  t.is(a.m.friend(aOfC).status, 'confirmed');
  t.deepEqual(a.of('friend-connection').map((e) => e.status), ['udp', 'none']);
  t.true(c.online(a), 'the session is still up');
  raw.sendLossless(encodeMessage('normal', utf8('still there?')));
  raw.sendLossless(encodeOnline());
  raw.sendLossless(encodeMessage('normal', utf8('back')));
  await w.advance(100);
  t.deepEqual(a.of('friend-message').map((m) => m.text), ['back']);
  t.is(a.m.stats.dropped.get('not-online'), 3);
  t.deepEqual(a.of('friend-connection').map((e) => e.status), ['udp', 'none', 'udp']);
  t.deepEqual(a.allErrors(), []);
});

test('unknown ids are ignored and counted; malformed packets dropped and counted by reason; the friendship goes on', async (t) => {
  const { w, a, b, aOfB } = await onlinePair();
  const raw = b.friends.connection(a.real.publicKey)!;
  // File transfers, conferences, A/V signalling, and ids nobody defined.
  const unknown = [19, 23, 26, 47, 52, 63, 66, 69, 80, 81, 82, 96, 97, 98, 99, 100, 159].map((id) => Uint8Array.of(id, 1, 2, 3));
  const malformed: Array<[Uint8Array, string]> = [
    [Uint8Array.of(DataPacket.OFFLINE, 0), 'malformed-trailing-bytes'],
    [new Uint8Array([DataPacket.NICKNAME, ...new Uint8Array(129)]), 'malformed-trailing-bytes'],
    [new Uint8Array([DataPacket.STATUSMESSAGE, ...new Uint8Array(1008)]), 'malformed-trailing-bytes'],
    [Uint8Array.of(DataPacket.USERSTATUS), 'malformed-truncated'],
    [Uint8Array.of(DataPacket.USERSTATUS, 3), 'malformed-bad-value'],
    [Uint8Array.of(DataPacket.USERSTATUS, 1, 1), 'malformed-trailing-bytes'],
    [Uint8Array.of(DataPacket.TYPING), 'malformed-truncated'],
    [Uint8Array.of(DataPacket.MESSAGE), 'malformed-truncated'],
    [Uint8Array.of(DataPacket.ACTION), 'malformed-truncated'],
  ];
  for (const p of unknown) raw.sendLossless(p);
  for (const [p] of malformed) raw.sendLossless(p);
  raw.sendLossy(Uint8Array.of(192, 1));
  raw.sendLossy(Uint8Array.of(199, 1));
  raw.sendLossless(encodeMessage('normal', utf8('still friends')));
  await w.advance(300);
  const d = a.m.stats.dropped;
  t.is(d.get('unknown-id'), unknown.length);
  for (const reason of new Set(malformed.map(([, r]) => r))) {
    t.is(d.get(reason as 'malformed-truncated'), malformed.filter(([, r]) => r === reason).length, reason);
  }
  t.is(d.get('lossy-av'), 2);
  t.is(d.total, unknown.length + malformed.length + 2);
  t.deepEqual(a.of('friend-message').map((m) => m.text), ['still friends']);
  t.is(a.m.friend(aOfB).userStatus, 0, 'the bad user status changed nothing');
  t.is(a.m.friend(aOfB).status, 'online');
  t.is(a.of('custom-lossless').length + a.of('custom-lossy').length, 0);
  t.deepEqual(JSON.parse(JSON.stringify(d)), d.toJSON());
  t.deepEqual([...a.allErrors(), ...b.allErrors()], []);
});

test('a listener that throws is reported as an error and disturbs nothing', async (t) => {
  const { w, a, b, aOfB } = await onlinePair();
  const errors: string[] = [];
  a.m.on('error', (e) => errors.push(e.message));
  a.m.on('friend-message', () => { throw new Error('listener bug'); });
  b.m.sendMessage(b.m.friendNumber(a.real.publicKey)!, 'one');
  b.m.sendMessage(b.m.friendNumber(a.real.publicKey)!, 'two');
  await w.advance(200);
  t.deepEqual(errors, ['listener bug', 'listener bug']);
  t.deepEqual(a.of('friend-message').map((m) => m.text), ['one', 'two']);
  t.is(a.m.friend(aOfB).status, 'online');
});
