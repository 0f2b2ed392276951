/**
 * The relay client against a hand-driven relay on the simulated network: the handshake and
 * its deadline, pings both ways, what it does with each frame a relay may send (and with
 * frames a relay never sends), back-pressure, and its API errors.
 */
import test from 'ava';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { ConnectError } from '../../src/io/index.ts';
import {
  RelayError, TcpRelayClient, decodeRelayPacket, encodeConnectNotification,
  encodeData, encodeDisconnectNotification, encodeOnionResponse, encodeOobReceive, encodePing, encodePong,
  encodeRoutingRequest, encodeRoutingResponse, encodeForwarding,
} from '../../src/relay/index.ts';
import { FAKE_RELAY_PORT as PORT, fakeRelay } from './helpers.ts';

const bytes = (...xs: number[]) => Uint8Array.from(xs);

const kinds = (events: Array<[string, unknown]>) => events.map(([k]) => k);

test('connects, pings at once (which confirms it at the relay), and reports the pong', async (t) => {
  const relay = await fakeRelay();
  const { client, events } = relay.connect();
  t.is(client.state, 'connecting');
  await relay.sim.clock.advanceAsync(30);
  t.is(client.state, 'handshaking');
  await relay.sim.clock.advanceAsync(30);
  t.is(client.state, 'connected');
  const ping = decodeRelayPacket(relay.frames[0]!);
  t.is(ping.kind, 'ping');
  if (ping.kind === 'ping') relay.send(encodePong(ping.pingId));
  await relay.sim.clock.advanceAsync(30);
  t.deepEqual(kinds(events), ['connected', 'pong']);
  t.is(client.stats.pongsReceived, 1);
});

test('pings every 30 s; a pong 10 s late closes the connection', async (t) => {
  const relay = await fakeRelay();
  const { client, events } = relay.connect();
  let answer = true;
  const answered: number[] = [];
  for (let second = 0; second < 200 && client.state !== 'closed'; second++) {
    await relay.sim.clock.advanceAsync(1000);
    while (relay.frames.length > 0) {
      const p = decodeRelayPacket(relay.frames.shift()!);
      if (p.kind === 'ping' && answer) {
        relay.send(encodePong(p.pingId));
        answered.push(relay.sim.clock.now());
      }
    }
    if (answered.length === 3) answer = false;
  }
  t.is(answered.length, 3);
  // Pings at about 0, 30 and 60 s; the fourth, at 90 s, is never answered.
  t.true(answered[1]! - answered[0]! >= 29_000 && answered[1]! - answered[0]! <= 31_000);
  t.is(client.closeReason, 'ping-timeout');
  const closed = events.find(([k]) => k === 'closed')![1] as { reason: string };
  t.is(closed.reason, 'ping-timeout');
  t.true(relay.sim.clock.now() >= 100_000 && relay.sim.clock.now() <= 102_000, `${relay.sim.clock.now()}`);
});

test('a relay that never answers the handshake is given up after 10 s', async (t) => {
  const relay = await fakeRelay({ answer: false });
  const { client, events } = relay.connect();
  await relay.sim.clock.advanceAsync(9_900);
  t.is(client.state, 'handshaking');
  await relay.sim.clock.advanceAsync(200);
  t.is(client.state, 'closed');
  t.deepEqual(events.at(-1), ['closed', { reason: 'handshake-timeout', error: undefined }]);
});

test('a relay whose answer does not open (a wrong key) fails the handshake', async (t) => {
  const relay = await fakeRelay({ reply: () => new Uint8Array(96).fill(3) });
  const { client } = relay.connect();
  await relay.sim.clock.advanceAsync(100);
  t.is(client.closeReason, 'handshake-bad-mac');
});

test('no relay at the address: connect-failed, with the reason', async (t) => {
  const relay = await fakeRelay();
  const client = new TcpRelayClient({
    network: relay.sim.addHost(), clock: relay.sim.clock, keyPair: generateKeyPair(),
    relay: { address: { host: relay.host.ip, port: PORT + 1 }, publicKey: relay.keys.publicKey },
  });
  let error: Error | undefined;
  client.on('closed', (c) => (error = c.error));
  await relay.sim.clock.advanceAsync(100);
  t.is(client.closeReason, 'connect-failed');
  t.true(error instanceof ConnectError);
});

test('answers the relay\'s pings with the same id; ignores a zero ping; a zero pong closes', async (t) => {
  const relay = await fakeRelay();
  const { client } = relay.connect();
  await relay.sim.clock.advanceAsync(100);
  relay.frames.length = 0;
  relay.send(encodePing(bytes(1, 2, 3, 4, 5, 6, 7, 8)));
  relay.send(encodePing(new Uint8Array(8)));
  await relay.sim.clock.advanceAsync(100);
  t.deepEqual(relay.frames.map((f) => decodeRelayPacket(f)), [{ kind: 'pong', pingId: bytes(1, 2, 3, 4, 5, 6, 7, 8) }]);
  t.is(client.stats.dropped.get('zero-ping-id'), 1);
  relay.send(encodePong(bytes(7, 7, 7, 7, 7, 7, 7, 7)));
  await relay.sim.clock.advanceAsync(100);
  t.is(client.stats.dropped.get('stale-pong'), 1);
  relay.send(encodePong(new Uint8Array(8)));
  await relay.sim.clock.advanceAsync(100);
  t.is(client.closeReason, 'zero-pong');
});

test('routes: responses, refusals, notifications and data as the relay sends them', async (t) => {
  const relay = await fakeRelay();
  const { client, events } = relay.connect();
  await relay.sim.clock.advanceAsync(100);
  const peer = generateKeyPair().publicKey;
  client.routingRequest(peer);
  await relay.sim.clock.advanceAsync(50);
  t.deepEqual(decodeRelayPacket(relay.frames.at(-1)!), { kind: 'routing-request', publicKey: peer });
  relay.send(encodeRoutingResponse(0, peer));
  relay.send(encodeRoutingResponse(200, peer));
  relay.send(encodeConnectNotification(200));
  relay.send(encodeData(200, bytes(0x1b, 1)));
  relay.send(encodeDisconnectNotification(200));
  relay.send(encodeDisconnectNotification(200));
  await relay.sim.clock.advanceAsync(50);
  t.deepEqual(kinds(events).slice(1).filter((k) => k !== 'pong'), ['routing-response', 'routing-response', 'status', 'data', 'status']);
  const responses = events.filter(([k]) => k === 'routing-response').map(([, v]) => (v as { connectionId: number | undefined }).connectionId);
  t.deepEqual(responses, [undefined, 200]);
  t.deepEqual(client.routes(), [{ connectionId: 200, publicKey: peer, online: false }]);
  t.deepEqual((events.find(([k]) => k === 'data')![1] as { data: Uint8Array }).data, bytes(0x1b, 1));
  t.throws(() => client.sendData(200, bytes(1)), { instanceOf: RelayError });
  client.disconnect(200);
  await relay.sim.clock.advanceAsync(50);
  t.deepEqual(decodeRelayPacket(relay.frames.at(-1)!), { kind: 'disconnect-notification', connectionId: 200 });
  t.deepEqual(client.routes(), []);
});

test('frames a relay should not send are dropped (ids it never gave) or close the connection (client-only types)', async (t) => {
  const relay = await fakeRelay();
  const { client } = relay.connect();
  await relay.sim.clock.advanceAsync(100);
  const other = generateKeyPair().publicKey;
  relay.send(encodeRoutingResponse(5, other));
  relay.send(encodeConnectNotification(30));
  relay.send(encodeData(31, bytes(1)));
  relay.send(encodeForwarding('forwarding', bytes(1)));
  relay.send(encodeOobReceive(other, bytes(0x18)));
  relay.send(encodeOnionResponse(bytes(0x84, 0)));
  await relay.sim.clock.advanceAsync(50);
  t.is(client.state, 'connected');
  t.deepEqual(client.stats.dropped.toJSON(), { 'bad-routing-response': 1, 'unknown-connection-id': 2, forwarding: 1 });
  relay.send(encodeRoutingRequest(other));
  await relay.sim.clock.advanceAsync(50);
  t.is(client.closeReason, 'unexpected-packet');
  const again = await fakeRelay();
  const second = again.connect();
  await again.sim.clock.advanceAsync(100);
  again.send(bytes(12, 0));
  await again.sim.clock.advanceAsync(50);
  t.is(second.client.closeReason, 'malformed');
});

test('data beyond what the socket takes is dropped (false), then drain', async (t) => {
  const relay = await fakeRelay();
  const { client, events } = relay.connect();
  await relay.sim.clock.advanceAsync(100);
  const peer = generateKeyPair().publicKey;
  relay.send(encodeRoutingResponse(16, peer));
  relay.send(encodeConnectNotification(16));
  await relay.sim.clock.advanceAsync(50);
  let accepted = 0;
  let refused = 0;
  for (let i = 0; i < 200; i++) {
    if (client.sendData(16, new Uint8Array(1000))) accepted++;
    else refused++;
  }
  t.false(client.writable);
  t.true(accepted >= 60 && accepted < 200, `${accepted}`);
  t.is(refused, 200 - accepted);
  t.is(client.stats.dropped.get('send-buffer-full'), refused);
  await relay.sim.clock.advanceAsync(1_000);
  t.true(kinds(events).includes('drain'));
  t.true(client.writable);
});

test('API errors are typed: before connecting, after closing, bad keys and lengths', async (t) => {
  const relay = await fakeRelay();
  const { client, events } = relay.connect();
  const key = generateKeyPair().publicKey;
  t.is(t.throws(() => client.routingRequest(key), { instanceOf: RelayError })?.code, 'not-connected');
  await relay.sim.clock.advanceAsync(100);
  t.is(t.throws(() => client.routingRequest(new Uint8Array(31)), { instanceOf: RelayError })?.code, 'bad-key');
  t.is(t.throws(() => client.sendOob(key, new Uint8Array(0)), { instanceOf: RelayError })?.code, 'bad-length');
  t.is(t.throws(() => client.sendData(16, bytes(1)), { instanceOf: RelayError })?.code, 'bad-connection-id');
  t.is(t.throws(() => client.disconnect(3), { instanceOf: RelayError })?.code, 'bad-connection-id');
  client.close();
  client.close();
  t.is(events.filter(([k]) => k === 'closed').length, 1);
  t.is(t.throws(() => client.routingRequest(key), { instanceOf: RelayError })?.code, 'closed');
  t.is(t.throws(() => new TcpRelayClient({
    network: relay.host, clock: relay.sim.clock, keyPair: generateKeyPair(), config: { pingIntervalMs: 0 },
    relay: { address: { host: relay.host.ip, port: PORT }, publicKey: relay.keys.publicKey },
  }), { instanceOf: RelayError })?.code, 'bad-config');
  t.is(t.throws(() => new TcpRelayClient({
    network: relay.host, clock: relay.sim.clock, keyPair: generateKeyPair(),
    relay: { address: { host: relay.host.ip, port: PORT }, publicKey: new Uint8Array(32) },
  }), { instanceOf: RelayError })?.code, 'bad-key');
});
