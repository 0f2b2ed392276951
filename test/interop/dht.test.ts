/**
 * toxlink's DHT against real c-toxcore 0.2.18 on loopback: tox-bootstrapd and C peers.
 */
import { fromHex, toHex } from '../../src/wire/index.ts';
import { startBootstrapdFor, freePort } from './bootstrapd.ts';
import { startPeer, type ToxPeer, type PeerIdentity } from './peer.ts';
import { startDht, until } from './dht-node.ts';
import { interopGate } from './skip.ts';
import type { ExecutionContext } from 'ava';

const gate = interopGate();
const LOCAL = '127.0.0.1';
/** Measured: a fresh toxlink node knows tox-bootstrapd and the C peers within a few seconds. */
const JOIN_TIMEOUT_MS = 30_000;

async function cPeer(t: ExecutionContext, name: string): Promise<{ peer: ToxPeer; me: PeerIdentity }> {
  const peer = await startPeer(t, { name });
  const start = await freePort('udp');
  const me = await peer.create({ udpPortStart: start, udpPortEnd: Math.min(start + 20, 65535) });
  return { peer, me };
}

gate.test('toxlink bootstraps from tox-bootstrapd and fills its close list with it and the C peers', async (t) => {
  const bootstrapd = await startBootstrapdFor(t);
  const peers = await Promise.all([cPeer(t, 'c1'), cPeer(t, 'c2')]);
  for (const { peer } of peers) await peer.bootstrap(LOCAL, bootstrapd.udpPort, bootstrapd.publicKey);
  const { dht } = await startDht(t);
  dht.bootstrap({ host: LOCAL, port: bootstrapd.udpPort }, fromHex(bootstrapd.publicKey));

  const wanted = [bootstrapd.publicKey, ...peers.map((p) => p.me.dhtId)];
  const took = await until('tox-bootstrapd and both C peers in the close list',
    () => wanted.every((k) => dht.closeList.get(fromHex(k)) !== undefined), JOIN_TIMEOUT_MS);
  t.log(`close list holds tox-bootstrapd and 2 C peers after ${took} ms; size ${dht.closeList.size}`);
  const c1 = dht.closeList.get(fromHex(peers[0]!.me.dhtId))!;
  t.is(c1.v4?.ipPort.port, peers[0]!.me.udpPort, 'the C peer is known at its real UDP port');
  t.is(dht.stats.dropped['bad-mac'] ?? 0, 0);
  t.is(dht.stats.dropped['unsolicited'] ?? 0, 0);
  t.true(dht.isConnected);
});

gate.test('C peers accept toxlink as a DHT node: a C peer names one toxlink node to another', async (t) => {
  const bootstrapd = await startBootstrapdFor(t);
  const { peer, me } = await cPeer(t, 'c1');
  await peer.bootstrap(LOCAL, bootstrapd.udpPort, bootstrapd.publicKey);
  const first = await startDht(t);
  first.dht.bootstrap({ host: LOCAL, port: bootstrapd.udpPort }, fromHex(bootstrapd.publicKey));
  // The first toxlink node talks to the C peer; the C peer pings it back and, once it
  // answers, keeps it in its own close list.
  await until('the first toxlink node knows the C peer', () => first.dht.closeList.get(fromHex(me.dhtId)) !== undefined, JOIN_TIMEOUT_MS);

  const second = await startDht(t);
  const cAddress = { host: LOCAL, port: me.udpPort };
  let named: string | undefined;
  second.dht.events.on('node', (report) => {
    if (toHex(report.reporter) === me.dhtId.toLowerCase() && toHex(report.node.publicKey) === toHex(first.dht.publicKey)) {
      named = `${report.node.ipPort.host}:${report.node.ipPort.port}`;
    }
  });
  // Ask the C peer, and only the C peer, for the nodes closest to the first toxlink node.
  const took = await until('the C peer names the first toxlink node', () => {
    if (named === undefined) second.dht.requestNodes(cAddress, fromHex(me.dhtId), first.dht.publicKey);
    return named !== undefined;
  }, JOIN_TIMEOUT_MS);
  t.is(named, `${LOCAL}:${first.port}`);
  t.log(`the C peer named the first toxlink node after ${took} ms`);
});

gate.test('toxlink\'s friend search finds a C peer\'s address by its DHT id', async (t) => {
  const bootstrapd = await startBootstrapdFor(t);
  const peers = await Promise.all([cPeer(t, 'c1'), cPeer(t, 'c2')]);
  for (const { peer } of peers) await peer.bootstrap(LOCAL, bootstrapd.udpPort, bootstrapd.publicKey);
  const { dht } = await startDht(t);
  const target = peers[1]!.me;
  const found: string[] = [];
  dht.events.on('friend-address', ({ publicKey, ipPort }) => {
    if (toHex(publicKey) === target.dhtId.toLowerCase()) found.push(`${ipPort.host}:${ipPort.port}`);
  });
  dht.addFriend(fromHex(target.dhtId));
  dht.bootstrap({ host: LOCAL, port: bootstrapd.udpPort }, fromHex(bootstrapd.publicKey));
  const took = await until('the C peer\'s address', () => found.length > 0, JOIN_TIMEOUT_MS);
  t.is(found[0], `${LOCAL}:${target.udpPort}`);
  t.deepEqual(dht.friendAddress(fromHex(target.dhtId)), { host: LOCAL, port: target.udpPort });
  t.log(`found the C peer at ${found[0]} after ${took} ms`);
});

gate.test('a C peer bootstraps from toxlink alone and learns the network from it', async (t) => {
  const bootstrapd = await startBootstrapdFor(t);
  const entry = await startDht(t);
  entry.dht.bootstrap({ host: LOCAL, port: bootstrapd.udpPort }, fromHex(bootstrapd.publicKey));
  await until('toxlink knows tox-bootstrapd', () => entry.dht.closeList.get(fromHex(bootstrapd.publicKey)) !== undefined, JOIN_TIMEOUT_MS);
  const { peer, me } = await cPeer(t, 'c1');
  await peer.bootstrap(LOCAL, entry.port, toHex(entry.dht.publicKey).toUpperCase());
  // The C peer's first request goes unanswered (toxlink answers only requesters that have
  // answered it); toxlink pings it, it answers, and its next request gets nodes. A second
  // toxlink node then asks the C peer for tox-bootstrapd's key: it can name it only if it
  // learned it from the first.
  const probe = await startDht(t);
  const cAddress = { host: LOCAL, port: me.udpPort };
  let named = false;
  probe.dht.events.on('node', (r) => {
    if (toHex(r.reporter) === me.dhtId.toLowerCase() && toHex(r.node.publicKey) === bootstrapd.publicKey.toLowerCase()) named = true;
  });
  const took = await until('the C peer names tox-bootstrapd', () => {
    if (!named) probe.dht.requestNodes(cAddress, fromHex(me.dhtId), fromHex(bootstrapd.publicKey));
    return named;
  }, JOIN_TIMEOUT_MS);
  t.true(entry.dht.stats.unverifiedRequests >= 1, 'the first request was withheld');
  t.log(`the C peer named tox-bootstrapd after ${took} ms; requests withheld until verified: ${entry.dht.stats.unverifiedRequests}`);
});
