/**
 * `toxlink chat` against real c-toxcore 0.2.18 (the interop C peer), on loopback through
 * tox-bootstrapd, driven through its stdin as a person types: it sends a friend request to
 * the C peer's Tox ID, the C peer accepts, both come online, and messages go both ways. A
 * second C peer asks to be our friend and is accepted with `/accept`. `/quit` saves the
 * friends and exits 0. Gated like every interop test (test/interop/skip.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProfileFile } from '../../src/messenger/index.ts';
import { toHex } from '../../src/wire/index.ts';
import { freePort, startBootstrapdFor } from '../interop/bootstrapd.ts';
import { startPeer } from '../interop/peer.ts';
import { interopGate } from '../interop/skip.ts';
import { toxlink } from './toxlink-child.ts';

const gate = interopGate();
const LOCAL = '127.0.0.1';
/** Measured on loopback: online within 5–15 s; the bound leaves room for a loaded machine. */
const ONLINE_MS = 90_000;

gate.test('toxlink chat befriends c-toxcore peers both ways and exchanges messages with them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'toxlink-chat-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bootstrapd = await startBootstrapdFor(t);
  const peers = await Promise.all(['c1', 'c2'].map(async (name) => {
    const peer = await startPeer(t, { name });
    const start = await freePort('udp');
    const me = await peer.create({ udpPortStart: start, udpPortEnd: Math.min(start + 20, 65_535) });
    await peer.bootstrap(LOCAL, bootstrapd.udpPort, bootstrapd.publicKey);
    await peer.addTcpRelay(LOCAL, bootstrapd.tcpPort, bootstrapd.publicKey);
    return { peer, me };
  }));
  const [c1, c2] = peers as [typeof peers[0], typeof peers[0]];

  const chat = toxlink(t, [
    'chat', c1.me.toxId, '--profile', join(dir, 'me.json'), '--host', LOCAL, '--name', 'toxlink user', '--message', 'hello c1, from toxlink chat',
    '--bootstrap', `${LOCAL}:${bootstrapd.udpPort}:${bootstrapd.publicKey}`, '--tcp-relay', `${LOCAL}:${bootstrapd.tcpPort}:${bootstrapd.publicKey}`,
  ], { limitMs: 240_000 });
  const idLine = await chat.waitLine(/^toxlink chat: your Tox ID is /);
  const myId = idLine.replace('toxlink chat: your Tox ID is ', '');
  await chat.waitLine(/^\* friend request sent to /);

  // c1 gets our request and accepts it; we come online on both sides.
  const started = Date.now();
  const request = await c1.peer.waitFor('friend_request', () => true, ONLINE_MS);
  t.is(request.publicKey, myId.slice(0, 64));
  t.is(request.message, 'hello c1, from toxlink chat');
  const c1Friend = await c1.peer.addFriendNoRequest(request.publicKey);
  await c1.peer.waitFor('friend_connection', (e) => e.friend === c1Friend && e.status !== 'none', ONLINE_MS);
  await chat.waitLine(/^\* friend 0 .* is online \((udp|tcp)\)$/, ONLINE_MS);
  t.log(`c1 online ${Date.now() - started} ms after our request went out`);

  // Messages both ways, as typed.
  chat.send('hello from toxlink chat');
  const got = await c1.peer.waitFor('friend_message', () => true, 20_000);
  t.like(got, { friend: c1Friend, type: 'normal', text: 'hello from toxlink chat' });
  await c1.peer.sendMessage(c1Friend, 'and hello back from c-toxcore');
  t.regex(await chat.waitLine(/and hello back from c-toxcore/, 20_000), /^\[friend 0 [^\]]*\] and hello back from c-toxcore$/);
  chat.send('/me waves');
  t.like(await c1.peer.waitFor('friend_message', () => true, 20_000), { type: 'action', text: 'waves' });

  // c2 asks; we accept with /accept and talk to it.
  const from = chat.lines.length;
  const c2Friend = await c2.peer.addFriend(myId, 'c2 here, add me');
  t.regex(await chat.waitLine(/^\* friend request 1 from /, ONLINE_MS, from), new RegExp(`^\\* friend request 1 from ${c2.me.publicKey}: "c2 here, add me" \\(/accept 1\\)$`));
  chat.send('/accept 1');
  await chat.waitLine(/^\* accepted: friend 1 /, 10_000, from);
  await c2.peer.waitFor('friend_connection', (e) => e.friend === c2Friend && e.status !== 'none', ONLINE_MS);
  await chat.waitLine(/^\* friend 1 .* is online/, ONLINE_MS, from);
  chat.send('hi c2');
  t.like(await c2.peer.waitFor('friend_message', () => true, 20_000), { text: 'hi c2' });

  chat.send('/friends');
  await chat.waitLine(/^> friend 1 .* online/, 10_000, from);
  chat.send('/quit');
  t.is(await chat.exited, 0);
  t.regex(chat.stderr(), /left the chat \(quit\); profile saved/);
  const saved = await readProfileFile(join(dir, 'me.json'));
  t.deepEqual(saved.friends.map((f) => toHex(f.publicKey).toUpperCase()), [c1.me.publicKey, c2.me.publicKey]);
  t.is(new TextDecoder().decode(saved.name), 'toxlink user');
});
