/**
 * The friend layer over TCP relays: real DhtNode, NetCrypto, TcpConnections and toxlink
 * relay servers on a SimNetwork, with UDP between the two friends cut at the harness's
 * socket wrapper. The onion is the in-test directory of harness.ts (FakeOnion), which
 * hands each friend the other's DHT key and announced relays; it is not the real
 * OnionClient. Simulated time only.
 */
import test from 'ava';
import { TcpRelayServer } from '../../src/relay/index.ts';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { encodeShareRelays } from '../../src/friend/index.ts';
import { toHex } from '../../src/wire/index.ts';
import { RELAY_PORT, befriend, world, type Peer, type World } from './harness.ts';

async function relayPair(o: { cutUdp?: boolean; aConfig?: object; bConfig?: object } = {}): Promise<{ w: World; a: Peer; b: Peer }> {
  const w = await world({ relays: 2 });
  const a = await w.peer({ name: 'a', tcp: true, relays: w.relays, config: o.aConfig });
  const b = await w.peer({ name: 'b', tcp: true, relays: w.relays, config: o.bConfig });
  if (o.cutUdp !== false) w.setUdp(a, b, false);
  await w.advance(1_000); // the relays connect, the onion learns them
  befriend(a, b);
  await w.until(() => a.online(b) && b.online(a), 60_000, 50);
  if (!a.online(b) || !b.online(a)) throw new Error('not online');
  return { w, a, b };
}

/** Samples each counter every `stepMs` for `ms`; returns, per counter, the times (from now) at which it went up. */
async function ticks(w: World, counters: Array<() => number>, ms: number, stepMs = 1_000): Promise<number[][]> {
  const start = w.sim.clock.now();
  const out: number[][] = counters.map(() => []);
  const last = counters.map((c) => c());
  while (w.sim.clock.now() - start < ms) {
    await w.advance(stepMs);
    counters.forEach((c, k) => {
      const now = c();
      for (let i = last[k]!; i < now; i++) out[k]!.push(w.sim.clock.now() - start);
      last[k] = now;
    });
  }
  return out;
}

test('with UDP cut between them, two friends come online through a relay; with UDP back, the session moves to UDP and back again, never dropped', async (t) => {
  const { w, a, b } = await relayPair();
  t.is(a.friends.path(b.real.publicKey), 'tcp');
  t.is(b.friends.path(a.real.publicKey), 'tcp');
  t.log(`online over TCP at ${w.sim.clock.now()} ms`);
  const session = a.friends.connection(b.real.publicKey)!;
  t.true(a.tcp!.onlineRelays(b.dhtKeys.publicKey) >= 1, 'routed through a relay');
  // Data flows on the relay path.
  a.friends.sendLossless(b.real.publicKey, Uint8Array.of(64, 1));
  await w.advance(500);
  t.is(b.lossless.length, 1);

  w.setUdp(a, b, true);
  const toUdp = await w.until(() => a.friends.path(b.real.publicKey) === 'udp' && b.friends.path(a.real.publicKey) === 'udp', 120_000, 100);
  t.is(a.friends.path(b.real.publicKey), 'udp', `moved to UDP ${toUdp} ms after UDP came back`);
  t.log(`to UDP ${toUdp} ms after UDP came back`);
  t.is(a.friends.connection(b.real.publicKey), session, 'the same session');
  // Relays used only by a friend reached directly go to sleep.
  await w.advance(15_000);
  t.true(a.tcp!.relays().some((r) => r.state === 'sleeping'), JSON.stringify(a.tcp!.relays().map((r) => r.state)));

  w.setUdp(a, b, false);
  const toTcp = await w.until(() => a.friends.path(b.real.publicKey) === 'tcp' && b.friends.path(a.real.publicKey) === 'tcp', 60_000, 100);
  t.is(a.friends.path(b.real.publicKey), 'tcp', 'back to the relay');
  t.log(`back to TCP ${toTcp} ms after UDP was cut again`);
  await w.advance(40_000);
  t.true(a.online(b) && b.online(a), 'still online 40 s later: alive packets go through the woken relays');
  t.is(a.friends.connection(b.real.publicKey), session, 'still the same session');
  t.deepEqual(a.statuses.map((s) => [s.online, s.path]), [[true, 'tcp'], [true, 'udp'], [true, 'tcp']]);
  t.deepEqual([...a.errors, ...b.errors], []);
});

test('a friend that cannot find us through the onion takes our session from its relay as a stranger\'s, and links that relay', async (t) => {
  const w = await world({ relays: 1 });
  const a = await w.peer({ name: 'a', tcp: true, relays: w.relays });
  const b = await w.peer({ name: 'b', tcp: true, relays: w.relays });
  w.setUdp(a, b, false);
  w.directory.block(b.real.publicKey, a.real.publicKey); // b learns a's DHT key only from a's handshake
  await w.advance(1_000);
  befriend(a, b);
  await w.until(() => a.online(b) && b.online(a), 60_000, 50);
  t.true(a.online(b) && b.online(a));
  t.is(b.friends.path(a.real.publicKey), 'tcp');
  t.true(b.tcp!.peerRelays(a.dhtKeys.publicKey).length >= 1, 'b tracks a on the relay the handshake came through');
  t.is(b.friends.stats.sessionsAccepted, 1);
  t.deepEqual([...a.errors, ...b.errors], []);
});

test('relays are shared every 5 min by default and every 120 s as c-toxcore 0.2.18 does; each side keeps what the other sends', async (t) => {
  const { w, a, b } = await relayPair({ bConfig: { shareRelaysIntervalMs: 120_000 } });
  t.true(a.friends.stats.shareRelaysSent >= 1 && b.friends.stats.shareRelaysSent >= 1, 'both shared when they came online');
  const [aTicks, bTicks] = await ticks(w, [() => a.friends.stats.shareRelaysSent, () => b.friends.stats.shareRelaysSent], 610_000) as [number[], number[]];
  const seconds = (xs: number[]) => xs.map((x) => Math.round(x / 1000));
  t.deepEqual(seconds(aTicks), [300, 600], `a shared at ${aTicks.join(', ')} ms`);
  t.deepEqual(seconds(bTicks), [120, 240, 360, 480, 600], `b shared at ${bTicks.join(', ')} ms`);
  t.true(a.friends.stats.relaysReceived >= 2 * 6, `a received ${a.friends.stats.relaysReceived} relays`);
  t.true(b.friends.stats.relaysReceived >= 2 * 3);
  const book = a.friends.friend(b.real.publicKey)!.relays.map((r) => toHex(r.publicKey)).sort();
  t.deepEqual(book, w.relays.map((r) => toHex(r.endpoint.publicKey)).sort());
  t.true(a.online(b) && b.online(a));
  t.deepEqual([...a.errors, ...b.errors], []);
});

test('a relay on the friend\'s own machine (loopback) is reached at the friend\'s address; the relays kept per friend are bounded', async (t) => {
  const w = await world();
  const a = await w.peer({ name: 'a', tcp: true });
  const b = await w.peer({ name: 'b' });
  befriend(a, b);
  await w.until(() => a.online(b) && b.online(a), 60_000);
  // b runs a relay on its own host and, as a c-toxcore peer hosting one would, names it 127.0.0.1.
  const relayKeys = generateKeyPair();
  const server = new TcpRelayServer({ network: b.host, clock: w.sim.clock, keyPair: relayKeys });
  await server.listen({ host: '0.0.0.0', port: RELAY_PORT });
  const raw = b.friends.connection(a.real.publicKey)!;
  raw.sendLossless(encodeShareRelays([{ protocol: 'tcp', ipPort: { host: '127.0.0.1', port: RELAY_PORT }, publicKey: relayKeys.publicKey }]));
  await w.advance(2_000);
  const kept = a.friends.friend(b.real.publicKey)!.relays;
  t.deepEqual(kept.map((r) => r.address), [{ host: b.host.ip, port: RELAY_PORT }]);
  const held = a.tcp!.relays().find((r) => toHex(r.relay.publicKey) === toHex(relayKeys.publicKey));
  t.deepEqual(held?.relay.address, { host: b.host.ip, port: RELAY_PORT });
  t.not(held?.state, 'waiting', 'the relay at the friend\'s address answered');
  t.true(server.stats !== undefined);

  // 30 more relays, 3 per packet: 24 are kept, the newest.
  for (let i = 0; i < 10; i++) {
    raw.sendLossless(encodeShareRelays([0, 1, 2].map((j) => ({
      protocol: 'tcp' as const, ipPort: { host: `198.51.100.${i * 3 + j + 1}`, port: 443 }, publicKey: new Uint8Array(32).fill(i * 3 + j + 1),
    }))));
  }
  await w.advance(1_000);
  const after = a.friends.friend(b.real.publicKey)!.relays;
  t.is(after.length, 24);
  t.is(after.at(-1)!.address.host, '198.51.100.30', 'the newest is kept');
  t.false(after.some((r) => r.address.host === b.host.ip), 'the oldest went');
  t.true(a.tcp!.peerRelays(b.dhtKeys.publicKey).length <= 6, 'the relay manager links at most 6 per peer');
  t.deepEqual([...a.errors, ...b.errors], []);
});
