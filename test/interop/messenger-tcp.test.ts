/**
 * toxlink's Messenger against real c-toxcore 0.2.18 on loopback (issue 7's acceptance, part 3):
 * the TCP relay path and the move to UDP.
 *
 * 1. A C friend with UDP disabled: the friendship comes up through tox-bootstrapd's TCP relay
 *    (toxlink's path `tcp`, the C peer's `friend_connection` `tcp`), and messages cross it.
 *    Restarted from its save with UDP on, the friend comes back and the path is `udp`.
 * 2. Both with UDP, but the datagrams between toxlink and the C peer dropped (a filter on
 *    toxlink's socket; both still reach tox-bootstrapd and two more C nodes by UDP): the
 *    friendship comes up over the relay; when the filter is lifted, the same session moves to
 *    UDP without going offline.
 */
import type { DatagramTransport, Network } from '../../src/io/index.ts';
import { NodeNetwork } from '../../src/io/index.ts';
import { startBootstrapdFor } from './bootstrapd.ts';
import { keyOf, seen, startCPeer, startToxlink, upperHex, waitSeen, waitUntil } from './messenger-net.ts';
import { interopGate } from './skip.ts';

const gate = interopGate();

const ONLINE_TIMEOUT_MS = 45_000;
/** A session moves to UDP once the DHT finds the friend's address and a direct packet arrives. */
const UDP_TIMEOUT_MS = 45_000;

gate.test('a C friend with UDP off comes online over the TCP relay; restarted from its save with UDP on, over UDP', async (t) => {
  const t0 = Date.now();
  const bootstrapd = await startBootstrapdFor(t);
  const tl = await startToxlink(t, bootstrapd);
  const c = await startCPeer(t, bootstrapd, 'c-tcp', { udp: false });
  t.is(c.me.udpPort, 0, 'the C peer has no UDP');
  const tlKey = upperHex(tl.keyPair.publicKey);
  const friend = tl.messenger.addFriendNoRequest(keyOf(c.me.publicKey));
  const cFriend = await c.peer.addFriendNoRequest(tlKey);

  const up = await waitSeen(tl, c.me.publicKey, 0, (s) => s !== 'none', ONLINE_TIMEOUT_MS, 'the C peer online at toxlink');
  t.is(up.status, 'tcp');
  t.is(tl.node.friends.path(keyOf(c.me.publicKey)), 'tcp');
  await c.peer.waitFor('friend_connection', (e) => e.friend === cFriend && e.status === 'tcp', ONLINE_TIMEOUT_MS);
  t.log(`online over the TCP relay ${up.at - t0} ms after start`);
  tl.messenger.sendMessage(friend, 'over the relay');
  t.is((await c.peer.waitFor('friend_message', (e) => e.friend === cFriend, 10_000)).text, 'over the relay');
  await c.peer.sendMessage(cFriend, 'relayed back');
  await waitUntil('the relayed reply', () => (tl.messages.some((m) => m.text === 'relayed back') ? true : undefined), 10_000);

  // UDP on both: the C peer restarted from its save with UDP.
  const save = await c.peer.getSavedata();
  const quitAt = Date.now();
  await c.peer.quit();
  // A clean quit sends net_crypto's kill packet, and toxlink sees it offline at once. Over a
  // relay, c-toxcore 0.2.18 sometimes loses its own kill packet: tox_kill closes its TCP
  // connection while the packet still waits in that connection's queue (seen once in CI on
  // a loaded machine). The session then ends as c-toxcore's would, when no alive packet
  // has come for 32 s; the test waits that long only in that case, and says so.
  const off = await waitSeen(tl, c.me.publicKey, quitAt, (s) => s === 'none', 2_000, 'offline after the quit').catch(async () => {
    t.log('NOTE: no kill packet within 2 s (lost on the C side): waiting for the 32 s alive timeout');
    const late = await waitSeen(tl, c.me.publicKey, quitAt, (s) => s === 'none', 45_000, 'offline by the alive timeout');
    t.true(late.at - quitAt >= 20_000, 'without the kill packet, only the alive timeout (32 s after the last alive packet, sent every 8 s) ends the session');
    return late;
  });
  t.log(`quit → offline at toxlink over the relay: ${off.at - quitAt} ms`);
  const restartAt = Date.now();
  const again = await startCPeer(t, bootstrapd, 'c-udp', { savedata: save });
  t.not(again.me.udpPort, 0);
  const back = await waitSeen(tl, c.me.publicKey, restartAt, (s) => s !== 'none', ONLINE_TIMEOUT_MS, 'back online');
  const udp = await waitSeen(tl, c.me.publicKey, restartAt, (s) => s === 'udp', UDP_TIMEOUT_MS, 'over UDP');
  await again.peer.waitFor('friend_connection', (e) => e.friend === cFriend && e.status === 'udp', UDP_TIMEOUT_MS);
  t.is(tl.status(friend), 'udp');
  t.log(`restarted with UDP: online over ${back.status} ${back.at - restartAt} ms after the restart, over UDP at ${udp.at - restartAt} ms`);
  t.deepEqual(tl.errors, []);
});

/** A UDP socket that drops what goes to or comes from the ports in `blocked`. */
function filtered(socket: DatagramTransport, blocked: ReadonlySet<number>): DatagramTransport {
  return {
    local: socket.local,
    send: (to, data) => {
      if (!blocked.has(to.port)) socket.send(to, data);
    },
    onReceive: (handler) => socket.onReceive((data, from) => {
      if (!blocked.has(from.port)) handler(data, from);
    }),
    close: () => socket.close(),
  };
}

/** The real network, with UDP sockets that go through {@link filtered}. */
function filteringNetwork(blocked: ReadonlySet<number>): Network {
  const inner = new NodeNetwork();
  return {
    bindUdp: async (address) => filtered(await inner.bindUdp(address), blocked),
    connectTcp: (to) => inner.connectTcp(to),
    listenTcp: (address, onConnection) => inner.listenTcp(address, onConnection),
  };
}

gate.test('over the TCP relay while UDP between the two is dropped; when it passes again, the same session moves to UDP', async (t) => {
  const t0 = Date.now();
  const bootstrapd = await startBootstrapdFor(t);
  const blocked = new Set<number>();
  // Two more C peers as DHT and onion nodes: with only tox-bootstrapd besides the two ends,
  // most onion paths would cross the dropped link, and finding each other would be slow.
  const [c] = await Promise.all([
    startCPeer(t, bootstrapd, 'c-blocked'),
    startCPeer(t, bootstrapd, 'node-1'),
    startCPeer(t, bootstrapd, 'node-2'),
  ]);
  blocked.add(c.me.udpPort);
  const tl = await startToxlink(t, bootstrapd, { network: filteringNetwork(blocked) });
  const tlKey = upperHex(tl.keyPair.publicKey);
  const friend = tl.messenger.addFriendNoRequest(keyOf(c.me.publicKey));
  const cFriend = await c.peer.addFriendNoRequest(tlKey);

  const up = await waitSeen(tl, c.me.publicKey, 0, (s) => s !== 'none', ONLINE_TIMEOUT_MS, 'online while UDP is dropped');
  t.is(up.status, 'tcp');
  await c.peer.waitFor('friend_connection', (e) => e.friend === cFriend && e.status === 'tcp', ONLINE_TIMEOUT_MS);
  t.log(`online over the TCP relay ${up.at - t0} ms after start, UDP between the two dropped`);

  const liftedAt = Date.now();
  blocked.clear();
  const udp = await waitSeen(tl, c.me.publicKey, liftedAt, (s) => s === 'udp', UDP_TIMEOUT_MS, 'the path moving to UDP');
  const atC = await c.peer.waitFor('friend_connection', (e) => e.friend === cFriend && e.status === 'udp', UDP_TIMEOUT_MS);
  t.truthy(atC);
  t.is(seen(tl, c.me.publicKey, liftedAt, (s) => s === 'none'), undefined, 'never offline: the same session');
  t.is(tl.status(friend), 'udp');
  t.log(`UDP passes again → path 'udp' at toxlink after ${udp.at - liftedAt} ms, the C peer saw UDP by ${Date.now() - liftedAt} ms`);
  tl.messenger.sendMessage(friend, 'direct now');
  t.is((await c.peer.waitFor('friend_message', (e) => e.friend === cFriend, 10_000)).text, 'direct now');
  t.deepEqual(tl.errors, []);
});
