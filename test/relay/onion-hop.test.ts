/**
 * The relay's first onion hop over UDP, on the simulated network: a client's onion request
 * goes out as ONION_SEND_1 with a 59-byte return blob; the answer comes back as
 * ONION_RECV_1 and reaches the client as an onion response. What c-toxcore refuses, the hop
 * refuses too, counted.
 */
import test from 'ava';
import { generateKeyPair } from '../../src/crypto/index.ts';
import type { DatagramTransport } from '../../src/io/index.ts';
import { NetPacket, ipToBytes } from '../../src/wire/index.ts';
import {
  KEY_REFRESH_INTERVAL_MS, ONION_FAMILY_IPV4, ONION_RETURN_1, SIZE_IPPORT, readOnionIpPort,
} from '../../src/relay/index.ts';
import { type Rig, rig } from './helpers.ts';

/** An onion IP_Port: family, 16 address bytes (IPv4 in the first 4), port big-endian. */
function ipPort(host: string, port: number, family = ONION_FAMILY_IPV4): Uint8Array {
  const out = new Uint8Array(SIZE_IPPORT);
  out[0] = family;
  out.set(ipToBytes(host), 1);
  out[17] = port >> 8;
  out[18] = port & 0xff;
  return out;
}

interface Setup {
  readonly r: Rig;
  readonly hop2: DatagramTransport;
  /** The second hop's IP, and the relay's onion socket as the second hop sees it. */
  readonly hop2Ip: string;
  readonly relayUdp: { host: string; port: number };
  readonly seen: Uint8Array[];
}

async function setup(): Promise<Setup> {
  // The relay's UDP socket must exist before the server; build the rig around it.
  const base = await rig();
  const onionSocket = await base.relayHost.bindUdp({ host: '0.0.0.0', port: 33446 });
  const { TcpRelayServer } = await import('../../src/relay/index.ts');
  const server = new TcpRelayServer({ network: base.relayHost, clock: base.sim.clock, keyPair: generateKeyPair(), onionSocket });
  await server.listen({ host: '0.0.0.0', port: 33447 });
  const r: Rig = { ...base, server };
  const hop2Host = base.sim.addHost();
  const hop2 = await hop2Host.bindUdp({ host: '0.0.0.0', port: 33445 });
  const seen: Uint8Array[] = [];
  hop2.onReceive((data) => seen.push(data.slice()));
  return { r, hop2, hop2Ip: hop2Host.ip, relayUdp: { host: base.relayHost.ip, port: 33446 }, seen };
}

test('a request goes out as ONION_SEND_1 and the answer comes back to the client', async (t) => {
  const { r, hop2, hop2Ip, relayUdp, seen } = await setup();
  const { TcpRelayClient } = await import('../../src/relay/index.ts');
  const host = r.sim.addHost();
  const client = new TcpRelayClient({
    network: host, clock: r.sim.clock, keyPair: generateKeyPair(),
    relay: { address: { host: r.relayHost.ip, port: 33447 }, publicKey: r.server.publicKey },
  });
  const responses: Uint8Array[] = [];
  client.on('onion-response', (o) => responses.push(o.data.slice()));
  await r.sim.clock.advanceAsync(100);
  const nonce = new Uint8Array(24).fill(0x4e);
  const rest = new Uint8Array(200).fill(0x77);
  client.sendOnionRequest(nonce, new Uint8Array([...ipPort(hop2Ip, 33445), ...rest]));
  await r.sim.clock.advanceAsync(100);
  t.is(seen.length, 1);
  const packet = seen[0]!;
  t.is(packet[0], NetPacket.ONION_SEND_1);
  t.deepEqual(packet.subarray(1, 25), nonce);
  t.deepEqual(packet.subarray(25, 225), rest);
  t.is(packet.length, 1 + 24 + 200 + ONION_RETURN_1);
  const blob = packet.subarray(225);
  // The second hop answers with the blob and an announce response.
  const answer = new Uint8Array([NetPacket.ONION_RECV_1, ...blob, NetPacket.ANNOUNCE_RESPONSE_OLD, 1, 2, 3]);
  hop2.send(relayUdp, answer);
  await r.sim.clock.advanceAsync(100);
  t.deepEqual(responses, [Uint8Array.of(NetPacket.ANNOUNCE_RESPONSE_OLD, 1, 2, 3)]);
  t.is(r.server.onionHop!.stats.requestsForwarded, 1);
  t.is(r.server.onionHop!.stats.responsesDelivered, 1);

  // Refused answers: not 0x84/0x86, a forged blob, a blob from before the key changed.
  const to = relayUdp;
  hop2.send(to, new Uint8Array([NetPacket.ONION_RECV_1, ...blob, 0x83, 1]));
  const forged = blob.slice();
  forged[30]! ^= 1;
  hop2.send(to, new Uint8Array([NetPacket.ONION_RECV_1, ...forged, 0x86, 1]));
  hop2.send(to, Uint8Array.of(NetPacket.ONION_RECV_2, 1, 2));
  await r.sim.clock.advanceAsync(KEY_REFRESH_INTERVAL_MS + 1000);
  hop2.send(to, new Uint8Array([NetPacket.ONION_RECV_1, ...blob, 0x86, 1]));
  await r.sim.clock.advanceAsync(100);
  t.is(responses.length, 1);
  t.deepEqual(r.server.onionHop!.stats.dropped.toJSON(), { 'bad-response': 1, 'bad-return': 2, 'not-onion-recv-1': 1 });
});

test('requests of a bad size or to a non-IP family are refused; answers for a client gone are dropped', async (t) => {
  const { r, hop2, hop2Ip, relayUdp, seen } = await setup();
  const { TcpRelayClient } = await import('../../src/relay/index.ts');
  const client = new TcpRelayClient({
    network: r.sim.addHost(), clock: r.sim.clock, keyPair: generateKeyPair(),
    relay: { address: { host: r.relayHost.ip, port: 33447 }, publicKey: r.server.publicKey },
  });
  await r.sim.clock.advanceAsync(100);
  const nonce = new Uint8Array(24);
  const hop = ipPort(hop2Ip, 33445);
  client.sendOnionRequest(nonce, new Uint8Array([...hop, ...new Uint8Array(134)]));
  client.sendOnionRequest(nonce, new Uint8Array([...hop, ...new Uint8Array(1335 - 19 + 1)]));
  client.sendOnionRequest(nonce, new Uint8Array([...ipPort(hop2Ip, 33445, 130), ...new Uint8Array(200)]));
  client.sendOnionRequest(nonce, new Uint8Array([...hop, ...new Uint8Array(1335 - 19)]));
  await r.sim.clock.advanceAsync(100);
  t.is(seen.length, 1);
  t.deepEqual(r.server.onionHop!.stats.dropped.toJSON(), { 'bad-request-size': 2, 'bad-address': 1 });
  t.is(r.server.stats.dropped.get('onion-refused'), 3);
  client.close();
  await r.sim.clock.advanceAsync(100);
  hop2.send(relayUdp, new Uint8Array([NetPacket.ONION_RECV_1, ...seen[0]!.subarray(-ONION_RETURN_1), 0x84, 0]));
  await r.sim.clock.advanceAsync(100);
  t.is(r.server.onionHop!.stats.dropped.get('undeliverable'), 1);
});

test('onion IP_Ports: IPv4 and IPv6 read, other families refused', (t) => {
  t.deepEqual(readOnionIpPort(ipPort('127.0.0.1', 33445)), { host: '127.0.0.1', port: 33445 });
  const v6 = new Uint8Array(19);
  v6[0] = 10;
  v6[16] = 1;
  v6[18] = 80;
  t.deepEqual(readOnionIpPort(v6), { host: '::1', port: 80 });
  t.is(readOnionIpPort(ipPort('127.0.0.1', 1, 138)), undefined);
  t.is(readOnionIpPort(new Uint8Array(18)), undefined);
});
