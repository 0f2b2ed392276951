/**
 * The DHT packet codecs: round trips, exact bytes, and each size rule at its boundary.
 * Packets c-toxcore built are checked in test/vectors (dht-*.json); the one inlined here is
 * copied from dht-ping.json so this file shows a known answer on its own.
 */
import test from 'ava';
import { MAC_SIZE, encryptPrecomputed, decryptPrecomputed, generateKeyPair, precompute } from '../../src/crypto/index.ts';
import {
  ByteWriter, CryptoPacket, DecodeError, EncodeError, NetPacket, type PackedNode, fromHex, packNodes, toHex,
} from '../../src/wire/index.ts';
import { decodeDhtEnvelope, openDhtPacket, sealDhtPacket } from '../../src/dht/dht-packet.ts';
import { decodePingPlain, encodePing, pingKindOf } from '../../src/dht/ping-packet.ts';
import {
  decodeNodesRequestPlain, decodeNodesResponsePlain, encodeNodesRequest, encodeNodesResponse,
} from '../../src/dht/nodes-packet.ts';
import { decodeDhtRequestHeader, encodeDhtRequest, openDhtRequest } from '../../src/dht/dht-request.ts';
import { decodeNatPing, encodeNatPing } from '../../src/dht/nat-ping.ts';
import { decodeLanDiscovery, encodeLanDiscovery } from '../../src/dht/lan-discovery.ts';
import {
  CRYPTO_NODE_SIZE, CRYPTO_SIZE, DHT_PACKET_HEADER_SIZE, DHT_PACKET_MIN_SIZE, DHT_PING_SIZE, DHT_REQUEST_MIN_SIZE,
  LAN_DISCOVERY_SIZE, MAX_CRYPTO_REQUEST_DATA_SIZE, MAX_CRYPTO_REQUEST_SIZE, MAX_SENT_NODES, NAT_PING_SIZE,
  NODES_REQUEST_SIZE, NODES_RESPONSE_MAX_SIZE, NODES_RESPONSE_MIN_SIZE, NODES_RESPONSE_OVERHEAD, PING_PLAIN_SIZE,
} from '../../src/dht/packet-sizes.ts';

const filled = (n: number, b: number) => new Uint8Array(n).fill(b);
const alice = generateKeyPair();
const bob = generateKeyPair();
const shared = precompute(bob.publicKey, alice.secretKey)!;
const bobShared = precompute(alice.publicKey, bob.secretKey)!;
const nonce = filled(24, 0x4e);
const pingId = fromHex('0102030405060708');
const sendback = fromHex('a1a2a3a4a5a6a7a8');
const target = filled(32, 0x7a);

const udp4: PackedNode = { protocol: 'udp', ipPort: { host: '192.0.2.1', port: 33445 }, publicKey: filled(32, 1) };
const udp6: PackedNode = { protocol: 'udp', ipPort: { host: '2001:db8::1', port: 1 }, publicKey: filled(32, 2) };
const mapped: PackedNode = { protocol: 'udp', ipPort: { host: '::ffff:198.51.100.7', port: 65535 }, publicKey: filled(32, 3) };
const tcp4: PackedNode = { protocol: 'tcp', ipPort: { host: '192.0.2.2', port: 443 }, publicKey: filled(32, 4) };

/** The error code `fn` throws; fails unless it is a DecodeError. */
function code(t: import('ava').ExecutionContext, fn: () => unknown): string | undefined {
  return t.throws(fn, { instanceOf: DecodeError })?.code;
}

/** The plaintext `sealDhtPacket` would box, sealed as `kind` from alice to bob. */
function sealed(kind: number, plain: Uint8Array): Uint8Array {
  return sealDhtPacket(kind, alice.publicKey, shared, nonce, plain);
}

/** Opens a DHT packet as bob. */
function openAsBob(packet: Uint8Array): Uint8Array {
  const plain = openDhtPacket(decodeDhtEnvelope(packet), bobShared);
  if (plain === undefined) throw new Error('box does not open');
  return plain;
}

test('sizes agree with c-toxcore 0.2.18', (t) => {
  t.is(DHT_PACKET_HEADER_SIZE, 57);
  t.is(DHT_PACKET_MIN_SIZE, 74);
  t.is(PING_PLAIN_SIZE, 9);
  t.is(DHT_PING_SIZE, 82);
  t.is(CRYPTO_NODE_SIZE, 40);
  t.is(NODES_REQUEST_SIZE, 113);
  t.is(NODES_RESPONSE_OVERHEAD, 82);
  t.is(NODES_RESPONSE_MIN_SIZE, 121);
  t.is(NODES_RESPONSE_MAX_SIZE, 286);
  t.is(MAX_SENT_NODES, 4);
  t.is(CRYPTO_SIZE, 89);
  t.is(DHT_REQUEST_MIN_SIZE, 106);
  t.is(MAX_CRYPTO_REQUEST_SIZE, 1024);
  t.is(MAX_CRYPTO_REQUEST_DATA_SIZE, 918);
  t.is(NAT_PING_SIZE, 9);
  t.is(LAN_DISCOVERY_SIZE, 33);
});

/* ---- envelope ---- */

test('sealDhtPacket writes [kind][sender key][nonce][box] and openDhtPacket opens it', (t) => {
  const plain = fromHex('deadbeef');
  const packet = sealed(0x42, plain);
  t.is(packet.length, DHT_PACKET_HEADER_SIZE + MAC_SIZE + plain.length);
  t.is(packet[0], 0x42);
  t.deepEqual(packet.subarray(1, 33), alice.publicKey);
  t.deepEqual(packet.subarray(33, 57), nonce);
  t.deepEqual(packet.subarray(57), encryptPrecomputed(shared, nonce, plain), 'box as the crypto floor seals it');
  const env = decodeDhtEnvelope(packet);
  t.is(env.kind, 0x42);
  t.deepEqual(env.senderPublicKey, alice.publicKey);
  t.deepEqual(env.nonce, nonce);
  t.deepEqual(openDhtPacket(env, bobShared), plain);
});

test('decodeDhtEnvelope copies the key and nonce and refuses fewer than 74 bytes', (t) => {
  const packet = sealed(0, fromHex('01'));
  t.is(packet.length, DHT_PACKET_MIN_SIZE);
  const env = decodeDhtEnvelope(packet);
  packet.fill(0, 1, 57);
  t.deepEqual(env.senderPublicKey, alice.publicKey, 'key survives the packet buffer being reused');
  t.deepEqual(env.nonce, nonce);
  t.is(code(t, () => decodeDhtEnvelope(packet.subarray(0, 73))), 'truncated');
  t.is(code(t, () => decodeDhtEnvelope(new Uint8Array(0))), 'truncated');
});

test('openDhtPacket returns undefined for a wrong key or a flipped bit', (t) => {
  const packet = sealed(0, fromHex('0102'));
  t.is(openDhtPacket(decodeDhtEnvelope(packet), filled(32, 9)), undefined);
  packet[60]! ^= 1;
  t.is(openDhtPacket(decodeDhtEnvelope(packet), bobShared), undefined);
});

test('sealDhtPacket refuses bad arguments with EncodeError', (t) => {
  t.throws(() => sealDhtPacket(0, filled(31, 1), shared, nonce, filled(1, 0)), { instanceOf: EncodeError });
  t.throws(() => sealDhtPacket(0, alice.publicKey, filled(31, 1), nonce, filled(1, 0)), { instanceOf: EncodeError });
  t.throws(() => sealDhtPacket(0, alice.publicKey, shared, filled(23, 1), filled(1, 0)), { instanceOf: EncodeError });
  t.throws(() => sealDhtPacket(0, alice.publicKey, shared, nonce, new Uint8Array(0)), { instanceOf: EncodeError });
  t.throws(() => sealDhtPacket(256, alice.publicKey, shared, nonce, filled(1, 0)), { instanceOf: EncodeError });
});

/* ---- ping ---- */

test('encodePing is 82 bytes with the kind outside and inside, and round-trips', (t) => {
  for (const kind of ['request', 'response'] as const) {
    const packet = encodePing(kind, alice.publicKey, shared, nonce, pingId);
    const id = kind === 'request' ? NetPacket.PING_REQUEST : NetPacket.PING_RESPONSE;
    t.is(packet.length, DHT_PING_SIZE);
    t.is(packet[0], id);
    t.is(pingKindOf(packet[0]!), kind);
    const plain = openAsBob(packet);
    t.deepEqual(plain, fromHex(`0${id}0102030405060708`));
    t.deepEqual(decodePingPlain(kind, plain), pingId);
  }
  t.is(pingKindOf(NetPacket.GET_NODES), undefined);
});

test('encodePing matches a ping request built by c-toxcore (dht-ping.json)', (t) => {
  // "request built by ping_send_request (ipv4)" of test/vectors/dht-ping.json.
  const senderPublicKey = fromHex('07bf9f7e860ec89eaef655ace3efd0dcba70d924ca7668eb2abd2dbcd326c238');
  const senderSecretKey = fromHex('6a941fbfc2a115adf48c71890364b380b365de6e632b019a438fa88871d4fc61');
  const receiverPublicKey = fromHex('bbe0984a475be392f2d00b391c1a54c4b22a3207a22eff6c9511ba9288d2325a');
  const k = precompute(receiverPublicKey, senderSecretKey)!;
  const packet = encodePing('request', senderPublicKey, k, fromHex('ce413c23c0699cc4e1263abe266db94fd08d8e6a0b9f5662'),
    fromHex('0036dbe770e443af'));
  t.is(toHex(packet),
    '0007bf9f7e860ec89eaef655ace3efd0dcba70d924ca7668eb2abd2dbcd326c238ce413c23c0699cc4e1263abe266db94fd08d8e6a0b9f5662'
    + '83b1de243ce32cdf2817cbd81d203ffb96d1237c04794816c4');
});

test('decodePingPlain: exactly 9 bytes, inner kind equal to the outer one', (t) => {
  const plain = fromHex('000102030405060708');
  const id = decodePingPlain('request', plain);
  t.deepEqual(id, pingId);
  plain[1] = 0xff;
  t.is(id[0], 1, 'the ping id is a copy');
  t.is(code(t, () => decodePingPlain('request', plain.subarray(0, 8))), 'truncated');
  t.is(code(t, () => decodePingPlain('request', new Uint8Array(0))), 'truncated');
  t.is(code(t, () => decodePingPlain('request', new Uint8Array([...plain, 0]))), 'trailing-bytes');
  t.is(code(t, () => decodePingPlain('response', plain)), 'bad-value');
  plain[0] = 1;
  t.is(code(t, () => decodePingPlain('request', plain)), 'bad-value');
  t.notThrows(() => decodePingPlain('response', plain));
  plain[0] = 2;
  t.is(code(t, () => decodePingPlain('response', plain)), 'bad-value');
});

test('encodePing refuses a ping id that is not 8 bytes', (t) => {
  t.throws(() => encodePing('request', alice.publicKey, shared, nonce, filled(7, 0)), { instanceOf: EncodeError });
});

/* ---- nodes request ---- */

test('encodeNodesRequest is 113 bytes of [0x02][key][nonce][box(target, sendback)] and round-trips', (t) => {
  const packet = encodeNodesRequest(alice.publicKey, shared, nonce, target, sendback);
  t.is(packet.length, NODES_REQUEST_SIZE);
  t.is(packet[0], NetPacket.GET_NODES);
  const plain = openAsBob(packet);
  t.deepEqual(plain, new Uint8Array([...target, ...sendback]));
  const got = decodeNodesRequestPlain(plain);
  t.deepEqual(got.target, target);
  t.deepEqual(got.sendback, sendback);
  plain.fill(0);
  t.deepEqual(got.target, target, 'copies');
});

test('decodeNodesRequestPlain: exactly 40 bytes', (t) => {
  const plain = new Uint8Array([...target, ...sendback]);
  t.is(code(t, () => decodeNodesRequestPlain(plain.subarray(0, 39))), 'truncated');
  t.is(code(t, () => decodeNodesRequestPlain(new Uint8Array([...plain, 0]))), 'trailing-bytes');
  t.is(code(t, () => decodeNodesRequestPlain(new Uint8Array(0))), 'truncated');
});

test('encodeNodesRequest refuses a short target or sendback', (t) => {
  t.throws(() => encodeNodesRequest(alice.publicKey, shared, nonce, filled(31, 0), sendback), { instanceOf: EncodeError });
  t.throws(() => encodeNodesRequest(alice.publicKey, shared, nonce, target, filled(9, 0)), { instanceOf: EncodeError });
});

/* ---- nodes response ---- */

const plainNode = (n: PackedNode) => ({ protocol: n.protocol, host: n.ipPort.host, port: n.ipPort.port, key: toHex(n.publicKey) });

test('encodeNodesResponse round-trips 1 to 4 nodes, IPv4, IPv6 and IPv4-mapped', (t) => {
  const all = [udp4, udp6, mapped, { ...udp4, publicKey: filled(32, 5) }];
  for (let n = 1; n <= MAX_SENT_NODES; n++) {
    const nodes = all.slice(0, n);
    const packet = encodeNodesResponse(alice.publicKey, shared, nonce, nodes, sendback);
    t.is(packet[0], NetPacket.SEND_NODES_IPV6);
    t.is(packet.length, NODES_RESPONSE_OVERHEAD + packNodes(nodes).length);
    const plain = openAsBob(packet);
    t.deepEqual(plain, new Uint8Array([n, ...packNodes(nodes), ...sendback]), 'plaintext layout');
    const got = decodeNodesResponsePlain(plain);
    t.deepEqual(got.nodes.map(plainNode), nodes.map(plainNode));
    t.deepEqual(got.sendback, sendback);
  }
});

test('nodes responses span 121 (one IPv4 node) to 286 bytes (four IPv6 nodes)', (t) => {
  t.is(encodeNodesResponse(alice.publicKey, shared, nonce, [udp4], sendback).length, NODES_RESPONSE_MIN_SIZE);
  const four6 = [1, 2, 3, 4].map((b) => ({ ...udp6, publicKey: filled(32, b) }));
  t.is(encodeNodesResponse(alice.publicKey, shared, nonce, four6, sendback).length, NODES_RESPONSE_MAX_SIZE);
});

test('encodeNodesResponse refuses 0 nodes, 5 nodes and TCP nodes', (t) => {
  t.throws(() => encodeNodesResponse(alice.publicKey, shared, nonce, [], sendback), { instanceOf: EncodeError });
  t.throws(() => encodeNodesResponse(alice.publicKey, shared, nonce, [udp4, udp4, udp4, udp4, udp4], sendback), { instanceOf: EncodeError });
  t.throws(() => encodeNodesResponse(alice.publicKey, shared, nonce, [tcp4], sendback), { instanceOf: EncodeError });
  t.throws(() => encodeNodesResponse(alice.publicKey, shared, nonce, [udp4], filled(7, 0)), { instanceOf: EncodeError });
});

test('decodeNodesResponsePlain applies handle_sendnodes_core\'s rules', (t) => {
  const body = (count: number, nodes: PackedNode[], extra: number[] = [], back = sendback) =>
    new Uint8Array([count, ...packNodes(nodes), ...extra, ...back]);
  t.notThrows(() => decodeNodesResponsePlain(body(1, [udp4])));
  t.is(code(t, () => decodeNodesResponsePlain(body(0, []))), 'bad-value', 'count 0, as c-toxcore sends when it knows nobody');
  t.is(code(t, () => decodeNodesResponsePlain(body(0, [udp4]))), 'bad-value');
  t.is(code(t, () => decodeNodesResponsePlain(body(5, [udp4, udp4, udp4, udp4, udp4]))), 'bad-value');
  t.is(code(t, () => decodeNodesResponsePlain(body(255, [udp4]))), 'bad-value');
  t.is(code(t, () => decodeNodesResponsePlain(body(2, [udp4]))), 'truncated', 'fewer nodes than counted');
  t.is(code(t, () => decodeNodesResponsePlain(body(1, [udp4, udp6]))), 'trailing-bytes', 'more nodes than counted');
  t.is(code(t, () => decodeNodesResponsePlain(body(1, [udp4], [0]))), 'trailing-bytes', 'a stray byte');
  t.is(code(t, () => decodeNodesResponsePlain(body(1, [udp4], [], sendback.subarray(0, 7)))), 'truncated', 'short sendback');
  t.is(code(t, () => decodeNodesResponsePlain(body(1, [tcp4]))), 'bad-family');
  t.is(code(t, () => decodeNodesResponsePlain(body(2, [udp4, tcp4]))), 'bad-family');
  const unknown = body(1, [udp4]);
  unknown[1] = 3;
  t.is(code(t, () => decodeNodesResponsePlain(unknown)), 'bad-family');
  t.is(code(t, () => decodeNodesResponsePlain(new Uint8Array(8))), 'truncated');
  t.is(code(t, () => decodeNodesResponsePlain(new Uint8Array(0))), 'truncated');
  t.is(code(t, () => decodeNodesResponsePlain(new Uint8Array([1, ...sendback]))), 'truncated', 'count 1, no node bytes');
});

/* ---- DHT request ---- */

/** A 0x20 packet of any payload length, built by hand (encodeDhtRequest refuses some). */
function handRequest(payloadLength: number, receiver = bob.publicKey): Uint8Array {
  const plain = new Uint8Array(1 + payloadLength).fill(0x33);
  plain[0] = 100;
  const box = encryptPrecomputed(shared, nonce, plain);
  return new ByteWriter(CRYPTO_SIZE + box.length).u8(0x20).bytes(receiver).bytes(alice.publicKey).bytes(nonce).bytes(box).finish();
}

test('encodeDhtRequest writes [0x20][receiver][sender][nonce][box(id, payload)] and round-trips', (t) => {
  const payload = fromHex('cafe');
  const packet = encodeDhtRequest(bob.publicKey, alice.publicKey, shared, nonce, 100, payload);
  t.is(packet.length, CRYPTO_SIZE + MAC_SIZE + 1 + payload.length);
  const reference = new ByteWriter(packet.length).u8(0x20).bytes(bob.publicKey).bytes(alice.publicKey).bytes(nonce)
    .bytes(encryptPrecomputed(shared, nonce, fromHex('64cafe'))).finish();
  t.deepEqual(packet, reference, 'request id 100 (0x64) then the payload, boxed');
  const header = decodeDhtRequestHeader(packet);
  t.deepEqual(header.receiverPublicKey, bob.publicKey);
  t.deepEqual(header.senderPublicKey, alice.publicKey);
  t.deepEqual(header.nonce, nonce);
  const opened = openDhtRequest(header, bobShared);
  t.is(opened?.requestId, 100);
  t.deepEqual(opened?.payload, payload);
});

test('DHT requests: 107 to 1024 bytes are taken, 106 opens to nothing, 105 and 1025 are refused', (t) => {
  const smallest = encodeDhtRequest(bob.publicKey, alice.publicKey, shared, nonce, 100, filled(1, 7));
  t.is(smallest.length, DHT_REQUEST_MIN_SIZE + 1);
  t.deepEqual(openDhtRequest(decodeDhtRequestHeader(smallest), bobShared)?.payload, filled(1, 7));

  const largest = encodeDhtRequest(bob.publicKey, alice.publicKey, shared, nonce, 100, filled(MAX_CRYPTO_REQUEST_DATA_SIZE, 7));
  t.is(largest.length, MAX_CRYPTO_REQUEST_SIZE);
  t.is(openDhtRequest(decodeDhtRequestHeader(largest), bobShared)?.payload.length, MAX_CRYPTO_REQUEST_DATA_SIZE);

  const empty = handRequest(0);
  t.is(empty.length, DHT_REQUEST_MIN_SIZE);
  const header = decodeDhtRequestHeader(empty); // still routable, like c-toxcore
  t.is(code(t, () => openDhtRequest(header, bobShared)), 'truncated', 'no payload: cryptopacket_handle drops it');

  t.is(code(t, () => decodeDhtRequestHeader(smallest.subarray(0, DHT_REQUEST_MIN_SIZE - 1))), 'truncated');
  t.is(code(t, () => decodeDhtRequestHeader(handRequest(MAX_CRYPTO_REQUEST_DATA_SIZE + 1))), 'trailing-bytes');
  t.is(code(t, () => decodeDhtRequestHeader(handRequest(MAX_CRYPTO_REQUEST_DATA_SIZE + 16))), 'trailing-bytes',
    '1040 bytes: c-toxcore would forward it, its receiver would refuse it');
});

test('decodeDhtRequestHeader refuses another packet id; openDhtRequest a wrong key', (t) => {
  const packet = encodeDhtRequest(bob.publicKey, alice.publicKey, shared, nonce, 100, filled(3, 1));
  t.is(openDhtRequest(decodeDhtRequestHeader(packet), filled(32, 1)), undefined);
  const other = packet.slice();
  other[0] = 0x21;
  t.is(code(t, () => decodeDhtRequestHeader(other)), 'bad-value');
  t.is(code(t, () => decodeDhtRequestHeader(new Uint8Array(0))), 'truncated');
  const header = decodeDhtRequestHeader(packet);
  packet.fill(0, 1, 89);
  t.deepEqual(header.senderPublicKey, alice.publicKey, 'copies');
});

test('openDhtRequest refuses a hand-made header whose box is too long', (t) => {
  const header = { receiverPublicKey: bob.publicKey, senderPublicKey: alice.publicKey, nonce, box: new Uint8Array(936) };
  t.is(code(t, () => openDhtRequest(header, bobShared)), 'trailing-bytes');
});

test('encodeDhtRequest refuses an empty or too long payload and a request id over 255', (t) => {
  const enc = (id: number, n: number) => () => encodeDhtRequest(bob.publicKey, alice.publicKey, shared, nonce, id, filled(n, 0));
  t.throws(enc(100, 0), { instanceOf: EncodeError });
  t.throws(enc(100, MAX_CRYPTO_REQUEST_DATA_SIZE + 1), { instanceOf: EncodeError });
  t.throws(enc(256, 1), { instanceOf: EncodeError });
  t.throws(() => encodeDhtRequest(filled(31, 0), alice.publicKey, shared, nonce, 1, filled(1, 0)), { instanceOf: EncodeError });
});

/* ---- NAT ping ---- */

test('NAT pings are [0 | 1][ping id] and travel as request id 254', (t) => {
  t.deepEqual(encodeNatPing('request', pingId), fromHex('000102030405060708'));
  t.deepEqual(encodeNatPing('response', pingId), fromHex('010102030405060708'));
  for (const kind of ['request', 'response'] as const) {
    const packet = encodeDhtRequest(bob.publicKey, alice.publicKey, shared, nonce, CryptoPacket.NAT_PING, encodeNatPing(kind, pingId));
    t.is(packet.length, CRYPTO_SIZE + MAC_SIZE + 1 + NAT_PING_SIZE);
    const opened = openDhtRequest(decodeDhtRequestHeader(packet), bobShared)!;
    t.is(opened.requestId, CryptoPacket.NAT_PING);
    const ping = decodeNatPing(opened.payload);
    t.is(ping.kind, kind);
    t.deepEqual(ping.pingId, pingId);
  }
});

test('decodeNatPing: exactly 9 bytes, kind 0 or 1', (t) => {
  const payload = fromHex('000102030405060708');
  t.is(code(t, () => decodeNatPing(payload.subarray(0, 8))), 'truncated');
  t.is(code(t, () => decodeNatPing(new Uint8Array(0))), 'truncated');
  t.is(code(t, () => decodeNatPing(new Uint8Array([...payload, 0]))), 'trailing-bytes');
  payload[0] = 2;
  t.is(code(t, () => decodeNatPing(payload)), 'bad-value');
  t.throws(() => encodeNatPing('request', filled(9, 0)), { instanceOf: EncodeError });
});

/* ---- LAN discovery ---- */

test('LAN discovery is [0x21][key], exactly 33 bytes', (t) => {
  const packet = encodeLanDiscovery(alice.publicKey);
  t.deepEqual(packet, new Uint8Array([0x21, ...alice.publicKey]));
  const key = decodeLanDiscovery(packet);
  t.deepEqual(key, alice.publicKey);
  packet.fill(0, 1);
  t.deepEqual(key, alice.publicKey, 'copies');
  t.is(code(t, () => decodeLanDiscovery(packet.subarray(0, 32))), 'truncated');
  t.is(code(t, () => decodeLanDiscovery(new Uint8Array([...packet, 0]))), 'trailing-bytes');
  t.is(code(t, () => decodeLanDiscovery(new Uint8Array(0))), 'truncated');
  t.is(code(t, () => decodeLanDiscovery(new Uint8Array([0x22, ...alice.publicKey]))), 'bad-value');
  t.throws(() => encodeLanDiscovery(filled(33, 0)), { instanceOf: EncodeError });
});

/* ---- one reference check of the plaintext a receiver sees ---- */

test('the box of every DHT packet opens with the receiver\'s own shared key', (t) => {
  const packets = [
    encodePing('request', alice.publicKey, shared, nonce, pingId),
    encodeNodesRequest(alice.publicKey, shared, nonce, target, sendback),
    encodeNodesResponse(alice.publicKey, shared, nonce, [udp4], sendback),
  ];
  for (const p of packets) t.truthy(decryptPrecomputed(bobShared, p.subarray(33, 57), p.subarray(57)));
});
