/**
 * Onion requests and responses through three hops: sizes, the walk there and back, the
 * return blobs, and each hop's checks at their boundaries. The exact bytes are c-toxcore's
 * in test/vectors (onion-request.json, onion-response.json); the blob below is copied
 * from there so this file shows a known answer on its own.
 */
import test from 'ava';
import { encryptPrecomputed, generateKeyPair } from '../../src/crypto/index.ts';
import { ByteReader, ByteWriter, EncodeError, type IpPort, fromHex, toHex } from '../../src/wire/index.ts';
import {
  ONION_MAX_DATA_SIZE, ONION_RESPONSE_MAX_DATA_SIZE, ONION_RETURN_1, ONION_RETURN_2, ONION_RETURN_3, ONION_SEND_1, ONION_SEND_2,
  ONION_SEND_3, ONION_SEND_BASE, SIZE_IPPORT, TCP_ONION_REQUEST_MAX_BODY, TCP_ONION_REQUEST_MIN_BODY, type OnionHop,
  type ReturnAddress, createOnionPath, decodeOnionIpPort, decodeOnionLayer, decodeOnionRequest, decodeOnionResponse,
  decodeTcpOnionRequest, encodeForwardedRequest, encodeForwardedResponse, encodeOnionIpPort, encodeOnionRequest,
  encodeOnionResponse, encodeTcpOnionRequest, openOnionRequest, openReturnPath, packOnionIpPort, returnPathSize, sealReturnPath,
} from '../../src/onion/index.ts';
import { code, destination, filled, hops, originatorAddress, originatorDht, shared, testPath } from './fixtures.ts';

const secrets = [filled(32, 0x11), filled(32, 0x22), filled(32, 0x33)] as const;
const nonce = filled(24, 0x4e);

test('sizes agree with c-toxcore 0.2.18', (t) => {
  t.is(SIZE_IPPORT, 19);
  t.deepEqual([ONION_RETURN_1, ONION_RETURN_2, ONION_RETURN_3], [59, 118, 177]);
  t.is(ONION_SEND_BASE, 67);
  t.deepEqual([ONION_SEND_1, ONION_SEND_2, ONION_SEND_3], [225, 217, 209]);
  t.is(ONION_MAX_DATA_SIZE, 1174);
  t.is(ONION_RESPONSE_MAX_DATA_SIZE, 1222);
  t.deepEqual([TCP_ONION_REQUEST_MIN_BODY, TCP_ONION_REQUEST_MAX_BODY], [178, 1359]);
  t.deepEqual([1, 2, 3].map((h) => returnPathSize(h as OnionHop)), [59, 118, 177]);
});

test('the onion IP_Port is 19 bytes for IPv4 and IPv6, and only 2 and 10 are forwarded to', (t) => {
  t.is(toHex(packOnionIpPort({ host: '192.0.2.1', port: 33445 })), `02c0000201${'00'.repeat(12)}82a5`);
  t.is(toHex(packOnionIpPort({ host: '2001:db8::2', port: 1 })), '0a20010db8000000000000000000000002' + '0001');
  const junk = fromHex(`02c0000201${'ff'.repeat(12)}82a5`);
  t.deepEqual(decodeOnionIpPort(new ByteReader(junk)), { host: '192.0.2.1', port: 33445 }, 'the 12 bytes after IPv4 are ignored');
  for (const family of [0, 11, 130, 138]) {
    junk[0] = family;
    t.is(code(t, () => decodeOnionIpPort(new ByteReader(junk))), 'bad-family', `family ${family}`);
  }
  t.is(code(t, () => decodeOnionIpPort(new ByteReader(junk.subarray(0, 18)))), 'truncated');
  t.throws(() => encodeOnionIpPort(new ByteWriter(19), { host: 'not an address', port: 1 }), { instanceOf: EncodeError });
});

/** Walks `packet` (a 0x80) through the test hops with fresh blobs; returns what each step produced. */
function walkThere(packet: Uint8Array): { packets: Uint8Array[]; blobs: Uint8Array[]; delivered: Uint8Array } {
  const packets = [packet];
  const blobs: Uint8Array[] = [];
  let from: IpPort = originatorAddress;
  for (let i = 0; i < 3; i++) {
    const env = decodeOnionRequest(packets[i]!);
    const layer = openOnionRequest(env, shared(env.publicKey, hops[i]!.keys.secretKey));
    if (layer === undefined) throw new Error(`hop ${i + 1} cannot open`);
    const blob = sealReturnPath(secrets[i]!, filled(24, i), { kind: 'udp', ipPort: from }, env.returnPath);
    blobs.push(blob);
    packets.push(encodeForwardedRequest(env.hop, env.nonce, layer.inner, blob));
    from = hops[i]!.ipPort;
  }
  return { packets, blobs, delivered: packets[3]! };
}

test('a request goes through three hops, and a response comes back', (t) => {
  const payload = new Uint8Array(177).fill(0x83);
  const packet = encodeOnionRequest(testPath(), nonce, destination.ipPort, payload);
  t.is(packet.length, 226 + payload.length);
  t.is(packet[0], 0x80);
  t.deepEqual(packet.subarray(1, 25), nonce);
  t.deepEqual(packet.subarray(25, 57), originatorDht.publicKey, 'hop 1 sees our DHT key');

  const { packets, blobs, delivered } = walkThere(packet);
  t.deepEqual(packets.map((p) => p.length), [403, 395, 387, 354]);
  t.deepEqual([packets[1]![0], packets[2]![0]], [0x81, 0x82]);
  t.deepEqual(delivered.subarray(0, 177), payload);
  t.deepEqual(delivered.subarray(177), blobs[2]);

  // The destination answers with blob 3; each hop opens its own.
  const response = Uint8Array.of(0x84, 1, 2, 3);
  let back = encodeOnionResponse(delivered.subarray(177), response);
  const to: ReturnAddress[] = [];
  for (let i = 2; i >= 0; i--) {
    const env = decodeOnionResponse(back);
    t.is(env.hop as number, i + 1);
    const opened = openReturnPath(secrets[i]!, env.returnPath);
    if (opened === undefined) return t.fail(`hop ${i + 1}'s blob does not open`);
    to.push(opened.from);
    back = encodeForwardedResponse(env.hop, opened.previous, env.data);
  }
  t.deepEqual(back, response, 'hop 1 sends the bare response');
  t.deepEqual(to, [
    { kind: 'udp', ipPort: hops[1].ipPort }, { kind: 'udp', ipPort: hops[0].ipPort }, { kind: 'udp', ipPort: originatorAddress },
  ]);
});

test('each hop checks the length before anything else', (t) => {
  const packet = encodeOnionRequest(testPath(), nonce, destination.ipPort, Uint8Array.of(0x83));
  t.is(packet.length, 227);
  t.is(code(t, () => decodeOnionRequest(packet.subarray(0, 226))), 'truncated');
  const { packets } = walkThere(packet);
  t.is(code(t, () => decodeOnionRequest(packets[1]!.subarray(0, 1 + ONION_SEND_2))), 'truncated');
  t.is(code(t, () => decodeOnionRequest(packets[2]!.subarray(0, 1 + ONION_SEND_3))), 'truncated');
  const longest = encodeOnionRequest(testPath(), nonce, destination.ipPort, new Uint8Array(ONION_MAX_DATA_SIZE).fill(0x85));
  t.is(longest.length, 1400);
  const tooLong = new Uint8Array(1401);
  tooLong.set(longest);
  t.is(code(t, () => decodeOnionRequest(tooLong)), 'trailing-bytes');
  t.is(code(t, () => decodeOnionRequest(Uint8Array.of(0x83, ...longest.subarray(1)))), 'bad-value');
  t.is(code(t, () => decodeOnionRequest(new Uint8Array(0))), 'truncated');
});

test('a box that does not open is undefined; a changed box does not open', (t) => {
  const packet = encodeOnionRequest(testPath(), nonce, destination.ipPort, Uint8Array.of(0x83));
  const env = decodeOnionRequest(packet);
  t.is(openOnionRequest(env, shared(env.publicKey, hops[1].keys.secretKey)), undefined, 'another hop\'s key');
  packet[100]! ^= 1;
  t.is(openOnionRequest(decodeOnionRequest(packet), shared(env.publicKey, hops[0].keys.secretKey)), undefined);
});

test('hop 3 forwards only payloads starting 0x83 or 0x85, and looks before the address', (t) => {
  for (const id of [0x83, 0x85]) {
    const { delivered } = walkThere(encodeOnionRequest(testPath(), nonce, destination.ipPort, Uint8Array.of(id, 0)));
    t.is(delivered[0], id);
  }
  for (const id of [0x84, 0x86, 0x87, 0x00]) {
    const packet = encodeOnionRequest(testPath(), nonce, destination.ipPort, Uint8Array.of(id));
    t.is(code(t, () => walkThere(packet)), 'bad-value', `0x${id.toString(16)}`);
  }
  const plain = new Uint8Array(40);
  plain[0] = 130; // a bad family, and a bad id: the id is checked first
  t.is(code(t, () => decodeOnionLayer(3, plain)), 'bad-value');
  plain[SIZE_IPPORT] = 0x83;
  t.is(code(t, () => decodeOnionLayer(3, plain)), 'bad-family');
  t.is(code(t, () => decodeOnionLayer(1, plain)), 'bad-family');
  t.is(code(t, () => decodeOnionLayer(1, plain.subarray(0, SIZE_IPPORT))), 'truncated');
});

test('a hop drops a layer that names a next hop of another family', (t) => {
  const k1 = shared(hops[0].keys.publicKey, originatorDht.secretKey);
  const plain = new Uint8Array(200);
  plain.set(packOnionIpPort(hops[1].ipPort));
  plain[0] = 11;
  const box = encryptPrecomputed(k1, nonce, plain);
  const packet = new ByteWriter(57 + box.length).u8(0x80).bytes(nonce).bytes(originatorDht.publicKey).bytes(box).finish();
  const env = decodeOnionRequest(packet);
  t.is(code(t, () => openOnionRequest(env, shared(env.publicKey, hops[0].keys.secretKey))), 'bad-family');
});

test('the TCP form has no box for hop 1, and the relay names its client in blob 1', (t) => {
  const path = testPath();
  const payload = Uint8Array.of(0x83, 1, 2);
  const body = encodeTcpOnionRequest(path, nonce, destination.ipPort, payload);
  t.is(body.length, 177 + payload.length);
  const udp = encodeOnionRequest(path, nonce, destination.ipPort, payload);
  const env = decodeOnionRequest(udp);
  const opened = openOnionRequest(env, shared(env.publicKey, hops[0].keys.secretKey))!;
  t.deepEqual(body.subarray(24), packOnionIpPortAnd(opened), 'the body is box 1\'s plaintext');

  const read = decodeTcpOnionRequest(body);
  t.deepEqual(read.layer.next, hops[1].ipPort);
  const client: ReturnAddress = { kind: 'tcp-client', connectionId: 5, identifier: 0x0123456789abcdefn };
  const blob = sealReturnPath(secrets[0], filled(24, 9), client, new Uint8Array(0));
  t.deepEqual(openReturnPath(secrets[0], blob)?.from, client);
  const forwarded = encodeForwardedRequest(1, read.nonce, read.layer.inner, blob);
  t.deepEqual(forwarded.subarray(0, forwarded.length - ONION_RETURN_1), udpForwardedWithoutBlob(udp));

  t.is(code(t, () => decodeTcpOnionRequest(body.subarray(0, 177))), 'truncated');
  t.is(code(t, () => decodeTcpOnionRequest(new Uint8Array(1360))), 'trailing-bytes');
});

function packOnionIpPortAnd(layer: { next: IpPort; inner: Uint8Array }): Uint8Array {
  return new Uint8Array([...packOnionIpPort(layer.next), ...layer.inner]);
}

function udpForwardedWithoutBlob(udp: Uint8Array): Uint8Array {
  const env = decodeOnionRequest(udp);
  const layer = openOnionRequest(env, shared(env.publicKey, hops[0].keys.secretKey))!;
  return encodeForwardedRequest(1, env.nonce, layer.inner, new Uint8Array(ONION_RETURN_1)).subarray(0, -ONION_RETURN_1);
}

test('sealReturnPath matches a blob c-toxcore sealed (onion-request.json)', (t) => {
  // "self-announce: hop 1 forwards 0x81": hop 1's blob for a request from the originator.
  const blob = sealReturnPath(fromHex('643458e5787cf7873a444f518f944adb4b4bfdb1e228202f500d1f1c20ca7087'),
    fromHex('bc10dc2b33c0202041bff0b6588f815b8999bf371b79e1d4'), { kind: 'udp', ipPort: { host: '198.51.100.10', port: 33445 } },
    new Uint8Array(0));
  t.is(toHex(blob), 'bc10dc2b33c0202041bff0b6588f815b8999bf371b79e1d44ec70363c190e1f83e56d5f37ab269fc7248b1ce2029b5f8e94f411638cff79e62f6c5');
});

test('return blobs: sizes, keys and families', (t) => {
  const key = secrets[0];
  const udp: ReturnAddress = { kind: 'udp', ipPort: { host: '2001:db8::7', port: 7 } };
  const b1 = sealReturnPath(key, nonce, udp, new Uint8Array(0));
  const b2 = sealReturnPath(key, nonce, udp, b1);
  const b3 = sealReturnPath(key, nonce, udp, b2);
  t.deepEqual([b1.length, b2.length, b3.length], [59, 118, 177]);
  t.deepEqual(openReturnPath(key, b3), { from: udp, previous: b2 });
  t.is(openReturnPath(secrets[1], b3), undefined, 'another hop\'s key');
  t.is(code(t, () => openReturnPath(key, b1.subarray(0, 58))), 'truncated');
  t.is(code(t, () => openReturnPath(key, new Uint8Array(100))), 'bad-value');
  t.throws(() => sealReturnPath(key, nonce, udp, new Uint8Array(10)), { instanceOf: EncodeError });
  t.throws(() => sealReturnPath(key, nonce, { kind: 'tcp-client', connectionId: 1, identifier: 1n }, b1), { instanceOf: EncodeError },
    'only hop 1 names a TCP client');
  t.throws(() => sealReturnPath(key.subarray(1), nonce, udp, b1), { instanceOf: EncodeError });
});

test('responses: ids, sizes and forwarding', (t) => {
  const blob3 = new Uint8Array(177).fill(3);
  const packet = encodeOnionResponse(blob3, Uint8Array.of(0x86));
  t.is(packet.length, 179);
  t.deepEqual(decodeOnionResponse(packet), { hop: 3, returnPath: blob3, data: Uint8Array.of(0x86) });
  t.is(code(t, () => decodeOnionResponse(packet.subarray(0, 178))), 'truncated');
  t.is(code(t, () => decodeOnionResponse(Uint8Array.of(0x8c, ...blob3, 0x88))), 'bad-value');
  t.is(code(t, () => decodeOnionResponse(Uint8Array.of(0x8b, ...blob3, 0x84))), 'bad-value');
  t.is(code(t, () => decodeOnionResponse(new Uint8Array([0x8c, ...blob3, 0x84, ...new Uint8Array(1222)]))), 'trailing-bytes');
  t.notThrows(() => decodeOnionResponse(new Uint8Array([0x8c, ...blob3, 0x84, ...new Uint8Array(1221)])));
  t.throws(() => encodeOnionResponse(blob3, new Uint8Array(1223)), { instanceOf: EncodeError });
  t.throws(() => encodeOnionResponse(blob3, new Uint8Array(0)), { instanceOf: EncodeError });
  t.throws(() => encodeOnionResponse(blob3.subarray(1), Uint8Array.of(0x84)), { instanceOf: EncodeError });
  const to2 = encodeForwardedResponse(3, new Uint8Array(118), Uint8Array.of(0x84));
  t.deepEqual([to2[0], to2.length], [0x8d, 120]);
  const to1 = encodeForwardedResponse(2, new Uint8Array(59), Uint8Array.of(0x84));
  t.deepEqual([to1[0], to1.length], [0x8e, 61]);
  t.throws(() => encodeForwardedResponse(1, new Uint8Array(59), Uint8Array.of(0x84)), { instanceOf: EncodeError });
});

test('bad arguments are EncodeErrors', (t) => {
  const path = testPath();
  t.throws(() => encodeOnionRequest(path, nonce, destination.ipPort, new Uint8Array(0)), { instanceOf: EncodeError });
  t.throws(() => encodeOnionRequest(path, nonce, destination.ipPort, new Uint8Array(1175)), { instanceOf: EncodeError });
  t.throws(() => encodeOnionRequest(path, nonce.subarray(1), destination.ipPort, Uint8Array.of(0x83)), { instanceOf: EncodeError });
  t.throws(() => encodeForwardedRequest(1, nonce, Uint8Array.of(1), new Uint8Array(58)), { instanceOf: EncodeError });
  t.throws(() => encodeForwardedRequest(3, nonce, new Uint8Array(0), new Uint8Array(177)), { instanceOf: EncodeError });
  t.is(createOnionPath(originatorDht, [{ ...hops[0], publicKey: new Uint8Array(32) }, hops[1], hops[2]], generateKeyPair(),
    generateKeyPair()), undefined, 'a low-order key libsodium refuses');
});
