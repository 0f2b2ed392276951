/**
 * The relay manager on the simulated network: several relays, peers on different subsets
 * of them, routed sends and the OOB fallback, relays that drop and come back (back-off,
 * routes asked for again), sleep and wake, onion relays, unused relays, and every bound.
 * All timers run in simulated time.
 */
import test from 'ava';
import { generateKeyPair } from '../../src/crypto/index.ts';
import {
  type OnionRequest, RelayError, TcpConnections, reconnectDelayMs, tcpConnectionsConfig,
} from '../../src/relay/index.ts';
import { toHex } from '../../src/wire/index.ts';
import { befriend, statusOn, world } from './manager-helpers.ts';

const bytes = (...xs: number[]) => Uint8Array.from(xs);
const hex = toHex;

test('peers on different subsets of relays: online where both are, registered where only one is', async (t) => {
  const w = await world({ relays: 4 });
  const [r0, r1, r2, r3] = w.relays as [typeof w.relays[0], typeof w.relays[0], typeof w.relays[0], typeof w.relays[0]];
  const a = w.node();
  const b = w.node();
  befriend(a, b, [r0, r1, r2], [r1, r2, r3]);
  await w.advance(500);
  t.deepEqual([r0, r1, r2].map((r) => statusOn(a, b, r)), ['registered', 'online', 'online']);
  t.deepEqual([r1, r2, r3].map((r) => statusOn(b, a, r)), ['online', 'online', 'registered']);
  t.is(a.tcp.onlineRelays(b.keyPair.publicKey), 2);
  t.is(a.tcp.connectedRelayCount, 3);
  t.deepEqual(a.of('error'), []);

  // A send goes on a route, on the first relay (in the order added) where the peer is online.
  t.true(a.tcp.send(b.keyPair.publicKey, bytes(0x1b, 1, 2, 3)));
  await w.advance(100);
  const [got] = b.of('packet');
  t.is(got?.via, 'routed');
  t.true(got?.known);
  t.is(hex(got!.relay.publicKey), hex(r1.keyPair.publicKey));
  t.deepEqual(got?.peerDhtPublicKey, a.keyPair.publicKey);
  t.deepEqual(got?.data, bytes(0x1b, 1, 2, 3));
  t.is(r1.server.stats.dataRelayed, 1);
  t.is(r2.server.stats.dataRelayed, 0);

  // The reply goes back the same way.
  got!.reply(bytes(0x1b, 9));
  await w.advance(100);
  t.deepEqual(a.of('packet').map((p) => [p.via, [...p.data]]), [['routed', [0x1b, 9]]]);
  t.is(a.tcp.stats.sentRouted, 1);
  t.is(b.tcp.stats.receivedRouted, 1);
});

test('a peer online nowhere is sent to out of band on every relay where it is registered', async (t) => {
  const w = await world({ relays: 2 });
  const [r0, r1] = w.relays as [typeof w.relays[0], typeof w.relays[0]];
  const a = w.node();
  const b = w.node();
  // A tracks B on both relays; B is a client of both but tracks nobody: A's routes wait.
  a.tcp.addPeer(b.keyPair.publicKey);
  a.tcp.addPeerRelay(b.keyPair.publicKey, r0.endpoint);
  a.tcp.addPeerRelay(b.keyPair.publicKey, r1.endpoint);
  b.tcp.addRelay(r0.endpoint);
  b.tcp.addRelay(r1.endpoint);
  await w.advance(500);
  t.deepEqual([r0, r1].map((r) => statusOn(a, b, r)), ['registered', 'registered']);
  t.true(a.tcp.send(b.keyPair.publicKey, bytes(0x18, 7)));
  await w.advance(100);
  const got = b.of('packet');
  t.deepEqual(got.map((p) => [p.via, p.known]), [['oob', false], ['oob', false]]);
  t.deepEqual(new Set(got.map((p) => hex(p.relay.publicKey))), new Set([hex(r0.keyPair.publicKey), hex(r1.keyPair.publicKey)]));
  t.is(a.tcp.stats.sentOob, 1);
  t.is(b.tcp.stats.receivedOobUnknown, 2);

  // B answers a stranger out of band on the relay it came through; A knows B there: a known OOB packet.
  got[0]!.reply(bytes(0x18, 8));
  await w.advance(100);
  t.deepEqual(a.of('packet').map((p) => [p.via, p.known, [...p.data]]), [['oob', true, [0x18, 8]]]);
  t.is(a.tcp.stats.receivedOob, 1);

  // An OOB payload is at most 1024 bytes: a longer packet has no way to go.
  t.false(a.tcp.send(b.keyPair.publicKey, new Uint8Array(1025).fill(0x1b)));
  t.is(a.tcp.stats.dropped.get('oob-too-long'), 1);

  // B takes A on after all (as net_crypto's friend layer would on a handshake): both routes come online.
  b.tcp.addPeer(a.keyPair.publicKey);
  b.tcp.addPeerRelay(a.keyPair.publicKey, got[0]!.relay);
  await w.advance(100);
  const via = hex(got[0]!.relay.publicKey) === hex(r0.keyPair.publicKey) ? r0 : r1;
  t.is(statusOn(a, b, via), 'online');
  t.true(a.tcp.send(b.keyPair.publicKey, bytes(0x1b)));
  t.is(a.tcp.stats.sentRouted, 1);
});

test('a send to a peer with no relay, or not tracked, is refused and counted', async (t) => {
  const w = await world({ relays: 1 });
  const a = w.node();
  const stranger = generateKeyPair().publicKey;
  t.false(a.tcp.send(stranger, bytes(0x1b)));
  t.is(a.tcp.stats.dropped.get('unknown-peer'), 1);
  a.tcp.addPeer(stranger);
  t.false(a.tcp.send(stranger, bytes(0x1b)));
  t.is(a.tcp.stats.dropped.get('no-route'), 1);
  t.throws(() => a.tcp.send(stranger, new Uint8Array(0)), { instanceOf: RelayError, message: /1 to 2031/ });
  t.throws(() => a.tcp.send(stranger, new Uint8Array(2032)), { instanceOf: RelayError });
});

test('when a relay drops: peers go to none, reconnects back off 1, 2, 4 s, and routes are asked for again', async (t) => {
  const w = await world({ relays: 2 });
  const [r0, r1] = w.relays as [typeof w.relays[0], typeof w.relays[0]];
  const a = w.node();
  const b = w.node();
  befriend(a, b, [r0, r1]);
  await w.advance(500);
  t.deepEqual([r0, r1].map((r) => statusOn(a, b, r)), ['online', 'online']);

  const cut = w.sim.clock.now();
  await r0.stop();
  await w.advance(100);
  t.is(a.tcp.relayState(r0.keyPair.publicKey), 'waiting');
  t.is(statusOn(a, b, r0), 'none');
  t.is(statusOn(a, b, r1), 'online');
  t.true(a.of('peer-status').some((s) => s.status === 'none' && hex(s.relay.publicKey) === hex(r0.keyPair.publicKey)));
  // Sends go on through the other relay meanwhile.
  t.true(a.tcp.send(b.keyPair.publicKey, bytes(0x1b, 1)));
  await w.advance(100);
  t.is(hex(b.of('packet').at(-1)!.relay.publicKey), hex(r1.keyPair.publicKey));

  await w.advance(15_000 - 200);
  const attempts = a.relayStates(r0).filter(([, s]) => s === 'connecting').map(([at]) => at - cut);
  // The first reconnect 1 s after the drop; each failure doubles the wait: 1, 2, 4, 8 s.
  t.is(attempts.length, 3, JSON.stringify(a.relayStates(r0)));
  const gaps = attempts.map((at, i) => Math.round((at - (i === 0 ? 0 : attempts[i - 1]!)) / 100) / 10);
  t.true(gaps[0]! >= 1 && gaps[0]! <= 1.2, `${gaps}`);
  t.true(gaps[1]! >= 2 && gaps[1]! <= 2.2, `${gaps}`);
  t.true(gaps[2]! >= 4 && gaps[2]! <= 4.2, `${gaps}`);
  t.deepEqual(a.tcp.relays().find((r) => hex(r.relay.publicKey) === hex(r0.keyPair.publicKey))?.failures, 4);

  // The relay comes back (same key, same port): the next attempt connects and both routes are online again.
  await r0.start();
  await w.advance(10_000);
  t.is(a.tcp.relayState(r0.keyPair.publicKey), 'connected');
  t.is(b.tcp.relayState(r0.keyPair.publicKey), 'connected');
  t.is(statusOn(a, b, r0), 'online');
  t.is(statusOn(b, a, r0), 'online');
  t.is(a.tcp.relays().find((r) => hex(r.relay.publicKey) === hex(r0.keyPair.publicKey))?.failures, 4, 'the count clears only after a lasting connection');
  t.true(a.tcp.stats.lost >= 4);
  t.deepEqual(a.of('error'), []);
});

test('a relay that keeps failing is given up after maxReconnectAttempts and leaves its peers', async (t) => {
  const w = await world({ relays: 1 });
  const [r0] = w.relays as [typeof w.relays[0]];
  const a = w.node({ config: { maxReconnectAttempts: 3, reconnectBaseMs: 500, reconnectMaxMs: 1000 } });
  const b = w.node();
  befriend(a, b, [r0]);
  await w.advance(500);
  await r0.stop();
  await w.advance(10_000);
  t.deepEqual(a.relayStates(r0).map(([, s]) => s), ['connected', 'waiting', 'connecting', 'waiting', 'connecting', 'removed']);
  t.is(a.of('relay').at(-1)?.reason, 'gave-up');
  t.is(a.tcp.relayCount, 0);
  t.deepEqual(a.tcp.peerRelays(b.keyPair.publicKey), []);
  t.is(a.tcp.stats.gaveUp, 1);
});

test('a connection that lasted clears the failure count: the next drop waits the base time again', async (t) => {
  const w = await world({ relays: 1 });
  const [r0] = w.relays as [typeof w.relays[0]];
  const a = w.node({ config: { reconnectResetMs: 60_000 } });
  a.tcp.addRelay(r0.endpoint);
  await w.advance(500);
  await r0.stop();
  await w.advance(3_500); // failures at 0 s (drop), 1 s, 3 s
  await r0.start();
  await w.advance(10_000);
  t.is(a.tcp.relayState(r0.keyPair.publicKey), 'connected');
  t.is(a.tcp.relays()[0]!.failures, 3);
  await w.advance(61_000);
  const cut = w.sim.clock.now();
  await r0.stop();
  await w.advance(100);
  t.is(a.tcp.relays()[0]!.failures, 1);
  await w.advance(1_400);
  const next = a.relayStates(r0).filter(([at, s]) => at > cut && s === 'connecting').map(([at]) => at - cut);
  t.true(next.length === 1 && next[0]! >= 1000 && next[0]! < 1200, `${next}`);
});

test('reconnect delays: doubling from the base, capped', (t) => {
  const c = tcpConnectionsConfig();
  t.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 50].map((f) => reconnectDelayMs(f, c)), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
});

test('a relay whose every online peer is direct sleeps once its announce window is over, and wakes when one is not', async (t) => {
  const w = await world({ relays: 2 });
  const [r0, r1] = w.relays as [typeof w.relays[0], typeof w.relays[0]];
  const a = w.node();
  const b = w.node();
  const c = w.node();
  befriend(a, b, [r0]);
  befriend(a, c, [r1]);
  await w.advance(500);
  t.is(statusOn(a, b, r0), 'online');
  t.is(statusOn(a, c, r1), 'online');

  a.tcp.setPeerDirect(b.keyPair.publicKey, true);
  await w.advance(1000);
  t.is(a.tcp.relayState(r0.keyPair.publicKey), 'connected', 'not within the 10 s announce window');
  await w.advance(9000);
  t.is(a.tcp.relayState(r0.keyPair.publicKey), 'sleeping');
  t.is(a.tcp.relayState(r1.keyPair.publicKey), 'connected', 'a relay of a peer that is not direct stays awake');
  t.is(statusOn(a, b, r0), 'none');
  t.false(r0.server.hasClient(a.keyPair.publicKey), 'a sleeping relay holds no connection');
  await w.advance(100);
  t.is(statusOn(b, a, r0), 'registered', 'the peer sees us leave the relay');
  t.is(a.tcp.stats.slept, 1);

  // Nothing goes through a sleeping relay.
  t.false(a.tcp.send(b.keyPair.publicKey, bytes(0x1b)));

  // B's UDP path is down again: the relay wakes, reconnects and the route is online again.
  a.tcp.setPeerDirect(b.keyPair.publicKey, false);
  t.is(a.tcp.relayState(r0.keyPair.publicKey), 'connecting');
  await w.advance(500);
  t.is(a.tcp.relayState(r0.keyPair.publicKey), 'connected');
  t.is(statusOn(a, b, r0), 'online');
  t.true(a.tcp.send(b.keyPair.publicKey, bytes(0x1b)));
  t.is(a.tcp.stats.woken, 1);
  t.deepEqual(a.relayStates(r0).map(([, s]) => s), ['connected', 'sleeping', 'connecting', 'connected']);
});

test('a relay shared by a direct peer and one that is not stays awake', async (t) => {
  const w = await world({ relays: 1 });
  const [r0] = w.relays as [typeof w.relays[0]];
  const a = w.node();
  const b = w.node();
  const c = w.node();
  befriend(a, b, [r0]);
  befriend(a, c, [r0]);
  await w.advance(500);
  a.tcp.setPeerDirect(b.keyPair.publicKey, true);
  await w.advance(30_000);
  t.is(a.tcp.relayState(r0.keyPair.publicKey), 'connected');
  a.tcp.setPeerDirect(c.keyPair.publicKey, true);
  await w.advance(100);
  t.is(a.tcp.relayState(r0.keyPair.publicKey), 'sleeping');
  // Linking a peer that is not direct to a sleeping relay wakes it.
  const d = w.node();
  befriend(a, d, [r0]);
  await w.advance(500);
  t.is(a.tcp.relayState(r0.keyPair.publicKey), 'connected');
  t.is(statusOn(a, d, r0), 'online');
});

test('connected relays nobody uses are closed down to three, after the announce window; onion relays are kept', async (t) => {
  const w = await world({ relays: 6 });
  const a = w.node();
  for (const r of w.relays) a.tcp.addRelay(r.endpoint);
  await w.advance(500);
  t.is(a.tcp.connectedRelayCount, 3);
  t.is(a.tcp.relayCount, 3);
  t.is(a.tcp.stats.removedUnused, 3);
  t.deepEqual(a.of('relay').filter((e) => e.state === 'removed').map((e) => e.reason), ['unused', 'unused', 'unused']);

  // With onion use on, relays are reserved for it (three), and a relay a peer is online on is used.
  const o = w.node();
  o.tcp.setOnion(true);
  const b = w.node();
  for (const r of w.relays) o.tcp.addRelay(r.endpoint);
  befriend(o, b, [w.relays[5]!]);
  await w.advance(500);
  t.is(o.tcp.onionRelays().length, 3);
  t.is(o.tcp.connectedRelayCount, 4, 'three for the onion, one used by a peer');
  t.is(statusOn(o, b, w.relays[5]!), 'online');
  await w.advance(20_000);
  t.is(o.tcp.connectedRelayCount, 4);

  // A relay whose peers have not come online yet is kept for the announce window (10 s), then closed.
  const e = w.node();
  const stranger = generateKeyPair().publicKey;
  e.tcp.addPeer(stranger);
  for (const r of w.relays.slice(0, 4)) e.tcp.addPeerRelay(stranger, r.endpoint);
  await w.advance(5000);
  t.is(e.tcp.connectedRelayCount, 4);
  await w.advance(6000);
  t.is(e.tcp.connectedRelayCount, 3);
  t.is(e.tcp.peerRelays(stranger).length, 3, 'the peer loses the closed relay');
});

test('onion: requests go through a chosen relay and responses come back as events; onion relays never sleep', async (t) => {
  const seen: OnionRequest[] = [];
  let relayServer: { sendOnionResponse(serial: number, data: Uint8Array): boolean } | undefined;
  const w = await world({
    relays: 2,
    serverOptions: {
      onion: {
        request: (req, src) => {
          seen.push(req);
          relayServer!.sendOnionResponse(src.serial, bytes(0x84, 1, 2, 3));
          return true;
        },
      },
    },
  });
  const [r0, r1] = w.relays as [typeof w.relays[0], typeof w.relays[0]];
  const a = w.node();
  const b = w.node();
  befriend(a, b, [r0, r1]);
  await w.advance(500);
  t.deepEqual(a.tcp.onionRelays(), []);
  t.is(a.tcp.nextOnionRelay(), undefined);
  a.tcp.setOnion(true);
  t.is(a.tcp.onionRelays().length, 2);
  const first = a.tcp.nextOnionRelay()!;
  const second = a.tcp.nextOnionRelay()!;
  t.not(hex(first.publicKey), hex(second.publicKey), 'taken in turn');
  relayServer = hex(first.publicKey) === hex(r0.keyPair.publicKey) ? r0.server : r1.server;
  const payload = new Uint8Array(200);
  payload[0] = 2; // an IPv4 IP_Port
  t.true(a.tcp.sendOnionRequest(first.publicKey, new Uint8Array(24).fill(5), payload));
  await w.advance(100);
  t.is(seen.length, 1);
  t.deepEqual(a.of('onion-response').map((o) => [hex(o.relay.publicKey), [...o.data]]), [[hex(first.publicKey), [0x84, 1, 2, 3]]]);
  t.is(a.tcp.stats.onionRequests, 1);
  t.is(a.tcp.stats.onionResponses, 1);
  t.false(a.tcp.sendOnionRequest(generateKeyPair().publicKey, new Uint8Array(24), payload), 'not a relay we hold');

  // B is direct now, but onion relays stay awake.
  a.tcp.setPeerDirect(b.keyPair.publicKey, true);
  await w.advance(20_000);
  t.deepEqual(a.tcp.relays().map((r) => r.state), ['connected', 'connected']);
  // Onion off: the relays may sleep.
  a.tcp.setOnion(false);
  await w.advance(100);
  t.deepEqual(a.tcp.relays().map((r) => r.state), ['sleeping', 'sleeping']);
  // Onion on again: sleeping relays are woken for it.
  a.tcp.setOnion(true);
  await w.advance(500);
  t.deepEqual(a.tcp.relays().map((r) => [r.state, r.onion]), [['connected', true], ['connected', true]]);
});

test('removing a peer gives up its routes at each relay; a relay removed leaves its peers', async (t) => {
  const w = await world({ relays: 2 });
  const [r0, r1] = w.relays as [typeof w.relays[0], typeof w.relays[0]];
  const a = w.node();
  const b = w.node();
  befriend(a, b, [r0, r1]);
  await w.advance(500);
  t.is(r0.server.routesOf(a.keyPair.publicKey).length, 1);
  t.true(a.tcp.removePeer(b.keyPair.publicKey));
  t.false(a.tcp.removePeer(b.keyPair.publicKey));
  await w.advance(100);
  t.deepEqual(r0.server.routesOf(a.keyPair.publicKey), []);
  t.deepEqual(r1.server.routesOf(a.keyPair.publicKey), []);
  t.is(statusOn(b, a, r0), 'registered', 'B sees A go offline');
  t.false(a.tcp.hasPeer(b.keyPair.publicKey));

  t.true(b.tcp.removeRelay(r0.keyPair.publicKey));
  t.false(b.tcp.removeRelay(r0.keyPair.publicKey));
  t.deepEqual(b.tcp.peerRelays(a.keyPair.publicKey).map((r) => hex(r.relay.publicKey)), [hex(r1.keyPair.publicKey)]);
  t.deepEqual(b.of('relay').at(-1), { relay: b.of('relay').at(-1)!.relay, state: 'removed', reason: 'removed' });
});

test('bounds: relays, peers, relays per peer, and no new relay for a peer online on three', async (t) => {
  const w = await world({ relays: 8 });
  const a = w.node({ config: { maxRelays: 7, maxPeers: 2 } });
  const b = w.node();
  befriend(a, b, w.relays.slice(0, 3));
  await w.advance(500);
  t.is(a.tcp.onlineRelays(b.keyPair.publicKey), 3);
  // Online on three (recommended): a new relay is refused for it...
  t.false(a.tcp.addPeerRelay(b.keyPair.publicKey, w.relays[3]!.endpoint));
  t.is(a.tcp.relayCount, 3);
  // ...but a relay already held is linked, up to six.
  for (const r of w.relays.slice(3, 7)) a.tcp.addRelay(r.endpoint);
  t.is(a.tcp.relayCount, 7);
  t.throws(() => a.tcp.addRelay(w.relays[7]!.endpoint), { instanceOf: RelayError, message: /maxRelays/ });
  t.false(a.tcp.addRelay(w.relays[0]!.endpoint), 'already held');
  for (const r of w.relays.slice(3, 6)) t.true(a.tcp.addPeerRelay(b.keyPair.publicKey, r.endpoint));
  t.false(a.tcp.addPeerRelay(b.keyPair.publicKey, w.relays[6]!.endpoint), 'at most six relays per peer');
  t.is(a.tcp.peerRelays(b.keyPair.publicKey).length, 6);
  t.false(a.tcp.addPeerRelay(b.keyPair.publicKey, w.relays[0]!.endpoint), 'already linked');

  t.true(a.tcp.addPeer(generateKeyPair().publicKey));
  t.false(a.tcp.addPeer(b.keyPair.publicKey), 'already tracked');
  t.throws(() => a.tcp.addPeer(generateKeyPair().publicKey), { instanceOf: RelayError, message: /maxPeers/ });
  const unknown = t.throws(() => a.tcp.addPeerRelay(generateKeyPair().publicKey, w.relays[0]!.endpoint), { instanceOf: RelayError });
  t.is((unknown as RelayError).code, 'unknown-peer');
  t.throws(() => a.tcp.setPeerDirect(new Uint8Array(31), true), { instanceOf: RelayError, message: /32 bytes/ });
  t.throws(() => new TcpConnections({ network: a.host, clock: w.sim.clock, keyPair: generateKeyPair(), config: { recommendedRelays: 5, maxRelaysPerPeer: 4 } }), {
    instanceOf: RelayError, message: /recommendedRelays/,
  });
  t.throws(() => tcpConnectionsConfig({ maxRelaysPerPeer: 7 }), { instanceOf: RelayError, message: /maxRelaysPerPeer/ });

  a.tcp.close();
  t.is(a.tcp.relayCount, 0);
  t.throws(() => a.tcp.addRelay(w.relays[0]!.endpoint), { instanceOf: RelayError, message: /closed/ });
  await w.advance(100);
  t.false(w.relays[0]!.server.hasClient(a.keyPair.publicKey), 'close() closed every connection');
});

test('a route given for a peer that was removed meanwhile is given up at the relay', async (t) => {
  const w = await world({ relays: 1 });
  const [r0] = w.relays as [typeof w.relays[0]];
  const a = w.node();
  const b = w.node();
  befriend(a, b, [r0]);
  await w.advance(500);
  // Remove B just after the relay was asked again (a reconnect), before the answer comes.
  await r0.stop();
  await r0.start();
  await w.advance(1030);
  a.tcp.removePeer(b.keyPair.publicKey);
  await w.advance(500);
  t.deepEqual(r0.server.routesOf(a.keyPair.publicKey), []);
  t.deepEqual(a.of('error'), []);
});

test('a thousand packets each way through two relays, in order, none lost on an idle network', async (t) => {
  const w = await world({ relays: 2 });
  const a = w.node();
  const b = w.node();
  befriend(a, b, w.relays);
  await w.advance(500);
  for (let i = 0; i < 1000; i++) {
    t.true(a.tcp.send(b.keyPair.publicKey, bytes(0x1b, i >> 8, i & 255)));
    t.true(b.tcp.send(a.keyPair.publicKey, bytes(0x1b, i >> 8, i & 255, 0)));
    if (i % 100 === 99) await w.advance(20);
  }
  await w.advance(200);
  const seq = (p: { data: Uint8Array }) => (p.data[1]! << 8) | p.data[2]!;
  t.deepEqual(b.of('packet').map(seq), [...Array(1000).keys()]);
  t.deepEqual(a.of('packet').map(seq), [...Array(1000).keys()]);
});
