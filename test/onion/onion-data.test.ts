/**
 * Onion data from sender to friend: the request, the announce node's pass, the response and
 * both boxes; the 948-byte limit 0.2.18 receivers apply; the payloads (DHT key announcement,
 * friend request) and the DHT-routed copy. c-toxcore's verdicts are in test/vectors
 * (onion-data.json, onion-dhtpk-routed.json).
 */
import test from 'ava';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { CryptoPacket, EncodeError, type PackedNode, packNodes } from '../../src/wire/index.ts';
import {
  DATA_REQUEST_MIN_SIZE_RECV, DHTPK_DATA_MAX_LENGTH, DHTPK_DATA_MIN_LENGTH, DHTPK_ROUTED_MAX_SIZE, DHTPK_ROUTED_MIN_SIZE,
  FRIEND_REQUEST_ONION_MESSAGE_MAX, MAX_DATA_REQUEST_SIZE, MAX_FRIEND_REQUEST_DATA_SIZE, ONION_CLIENT_MAX_DATA_SIZE,
  ONION_DATA_OVERHEAD, ONION_DATA_RECEIVE_MAX, ONION_DATA_REQUEST_MIN_SIZE, ONION_DATA_RESPONSE_MIN_SIZE, decodeDhtPkAnnounce,
  decodeFriendRequest, decodeOnionDataRequest, decodeOnionDataResponse, decodeRoutedDhtPk, encodeDhtPkAnnounce,
  encodeFriendRequest, encodeOnionDataRequest, encodeOnionDataResponse, openOnionData, openOnionDataResponse, openRoutedDhtPk,
  sealOnionData, sealRoutedDhtPk,
} from '../../src/onion/index.ts';
import { code, filled, shared } from './fixtures.ts';

const senderReal = generateKeyPair();
const senderDht = generateKeyPair();
const friendReal = generateKeyPair();
const friendData = generateKeyPair();
const ephemeral = generateKeyPair();
const nonce = filled(24, 0x6e);
const relaysAndNodes: PackedNode[] = [
  { protocol: 'tcp', ipPort: { host: '198.51.100.41', port: 443 }, publicKey: filled(32, 1) },
  { protocol: 'tcp', ipPort: { host: '2001:db8:4::42', port: 3389 }, publicKey: filled(32, 2) },
  { protocol: 'udp', ipPort: { host: '203.0.113.43', port: 33445 }, publicKey: filled(32, 3) },
  { protocol: 'udp', ipPort: { host: '2001:db8:4::44', port: 33445 }, publicKey: filled(32, 4) },
];

/** Sender to friend: the request, the node's response, and what the friend opens. */
function roundTrip(payload: Uint8Array): { request: Uint8Array; response: Uint8Array; opened?: Uint8Array } {
  const data = sealOnionData(shared(friendReal.publicKey, senderReal.secretKey), nonce, senderReal.publicKey, payload);
  const request = encodeOnionDataRequest(friendReal.publicKey, nonce, ephemeral.publicKey,
    shared(friendData.publicKey, ephemeral.secretKey), data);
  const env = decodeOnionDataRequest(new Uint8Array([...request, ...filled(177, 0xb3)]));
  const response = encodeOnionDataResponse(env);
  const renv = decodeOnionDataResponse(response);
  const sealed = openOnionDataResponse(renv, shared(renv.ephemeralPublicKey, friendData.secretKey));
  if (sealed === undefined) return { request, response };
  const opened = openOnionData(sealed, shared(sealed.senderRealPublicKey, friendReal.secretKey), renv.nonce);
  return opened === undefined ? { request, response } : { request, response, opened };
}

test('sizes agree with c-toxcore 0.2.18', (t) => {
  t.is(ONION_DATA_REQUEST_MIN_SIZE, 105);
  t.is(DATA_REQUEST_MIN_SIZE_RECV, 282);
  t.is(MAX_DATA_REQUEST_SIZE, 1069);
  t.is(ONION_DATA_RESPONSE_MIN_SIZE, 73);
  t.is(ONION_DATA_OVERHEAD, 121);
  t.is(ONION_CLIENT_MAX_DATA_SIZE, 1021);
  t.is(ONION_DATA_RECEIVE_MAX, 948);
  t.is(MAX_FRIEND_REQUEST_DATA_SIZE, 1016);
  t.is(FRIEND_REQUEST_ONION_MESSAGE_MAX, 943);
  t.deepEqual([DHTPK_DATA_MIN_LENGTH, DHTPK_DATA_MAX_LENGTH], [41, 297]);
  t.deepEqual([DHTPK_ROUTED_MIN_SIZE, DHTPK_ROUTED_MAX_SIZE], [113, 369]);
});

test('a payload goes from sender to friend, and only the friend can open it', (t) => {
  const payload = Uint8Array.of(0x70, 1, 2, 3);
  const { request, response, opened } = roundTrip(payload);
  t.is(request.length, 105 + 48 + payload.length);
  t.is(response.length, ONION_DATA_OVERHEAD + payload.length);
  t.deepEqual(response.subarray(1), request.subarray(33), 'the node passes the request on, less its id and key');
  t.deepEqual(opened, payload);
  const renv = decodeOnionDataResponse(response);
  t.is(openOnionDataResponse(renv, shared(renv.ephemeralPublicKey, friendReal.secretKey)), undefined, 'not with the real key');
  const sealed = openOnionDataResponse(renv, shared(renv.ephemeralPublicKey, friendData.secretKey))!;
  t.deepEqual(sealed.senderRealPublicKey, senderReal.publicKey);
  t.is(openOnionData(sealed, shared(generateKeyPair().publicKey, friendReal.secretKey), renv.nonce), undefined,
    'not as from anyone else');
});

test('948 bytes of payload at most: what a 0.2.18 receiver takes', (t) => {
  const { response, opened } = roundTrip(new Uint8Array(948).fill(0x70));
  t.is(response.length, 1069);
  t.is(opened?.length, 948);
  t.throws(() => sealOnionData(shared(friendReal.publicKey, senderReal.secretKey), nonce, senderReal.publicKey, new Uint8Array(949)),
    { instanceOf: EncodeError });
  t.is(code(t, () => decodeOnionDataResponse(new Uint8Array(1070).fill(0x86))), 'trailing-bytes');
  t.is(code(t, () => decodeOnionDataResponse(new Uint8Array(121).fill(0x86))), 'truncated');
  t.is(code(t, () => decodeOnionDataResponse(new Uint8Array(200).fill(0x85))), 'bad-value');
});

test('the announce node takes 283 to 1400 bytes', (t) => {
  const at = (n: number) => new Uint8Array(n).fill(0x85);
  t.is(code(t, () => decodeOnionDataRequest(at(282))), 'truncated');
  t.is(decodeOnionDataRequest(at(283)).body.length, 283 - 33 - 177);
  t.notThrows(() => decodeOnionDataRequest(at(1400)));
  t.is(code(t, () => decodeOnionDataRequest(at(1401))), 'trailing-bytes');
  t.is(code(t, () => decodeOnionDataRequest(new Uint8Array(300).fill(0x83))), 'bad-value');
  t.throws(() => encodeOnionDataRequest(friendReal.publicKey, nonce, ephemeral.publicKey, filled(32, 1), new Uint8Array(1070)),
    { instanceOf: EncodeError });
});

test('DHT key announcements: layout, nodes, and what 0.2.18 forgives', (t) => {
  const announce = { noReplay: 1_700_000_000n, dhtPublicKey: senderDht.publicKey, nodes: relaysAndNodes };
  const payload = encodeDhtPkAnnounce(announce);
  t.is(payload.length, 41 + 39 + 51 + 39 + 51);
  t.is(payload[0], CryptoPacket.DHTPK);
  t.deepEqual(payload.subarray(1, 9), Uint8Array.of(0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00), 'big-endian');
  t.deepEqual(decodeDhtPkAnnounce(payload), { ...announce, nodesError: undefined });

  const max = new Uint8Array(297);
  max.set(encodeDhtPkAnnounce({ ...announce, nodes: [] }));
  max.set(packNodes([0, 1, 2, 3].map((i) => ({ ...relaysAndNodes[1]!, publicKey: filled(32, i) }))), 41);
  max.fill(0xee, 245);
  t.is(decodeDhtPkAnnounce(max).nodes.length, 4, '52 bytes after four IPv6 nodes are ignored');
  t.is(code(t, () => decodeDhtPkAnnounce(new Uint8Array([...max, 0]))), 'trailing-bytes');
  t.is(code(t, () => decodeDhtPkAnnounce(payload.subarray(0, 40))), 'truncated');

  const bad = payload.slice();
  bad[41 + 39] = 7;
  const decoded = decodeDhtPkAnnounce(bad);
  t.deepEqual([decoded.dhtPublicKey, decoded.nodes, decoded.nodesError], [senderDht.publicKey, [], 'bad-family'], 'the key counts');

  const other = payload.slice();
  other[0] = 0;
  t.is(code(t, () => decodeDhtPkAnnounce(other)), 'bad-value');
  t.is(decodeDhtPkAnnounce(other, { checkId: false }).noReplay, announce.noReplay);
  t.throws(() => encodeDhtPkAnnounce({ ...announce, nodes: [...relaysAndNodes, relaysAndNodes[0]!] }), { instanceOf: EncodeError });
  t.throws(() => encodeDhtPkAnnounce({ ...announce, noReplay: -1n }), { instanceOf: EncodeError });
});

test('the DHT-routed copy: the announced key must be the DHT sender, the id is not looked at', (t) => {
  const realShared = shared(friendReal.publicKey, senderReal.secretKey);
  const announcement = encodeDhtPkAnnounce({ noReplay: 5n, dhtPublicKey: senderDht.publicKey, nodes: relaysAndNodes.slice(0, 2) });
  const data = sealRoutedDhtPk(realShared, nonce, senderReal.publicKey, announcement);
  t.is(data.length, 72 + announcement.length);
  const env = decodeRoutedDhtPk(data);
  t.deepEqual(env.senderRealPublicKey, senderReal.publicKey);
  const friendShared = shared(env.senderRealPublicKey, friendReal.secretKey);
  t.is(openRoutedDhtPk(env, friendShared, senderDht.publicKey)?.noReplay, 5n);
  t.is(openRoutedDhtPk(env, friendShared, generateKeyPair().publicKey), undefined, 'from another DHT key');
  t.is(openRoutedDhtPk(env, shared(env.senderRealPublicKey, generateKeyPair().secretKey), senderDht.publicKey), undefined);

  const zeroId = announcement.slice();
  zeroId[0] = 0;
  const routed = decodeRoutedDhtPk(sealRoutedDhtPk(realShared, nonce, senderReal.publicKey, zeroId));
  t.is(openRoutedDhtPk(routed, friendShared, senderDht.publicKey)?.noReplay, 5n, 'any first byte');

  t.is(code(t, () => decodeRoutedDhtPk(new Uint8Array(112))), 'truncated');
  t.notThrows(() => decodeRoutedDhtPk(new Uint8Array(369)));
  t.is(code(t, () => decodeRoutedDhtPk(new Uint8Array(370))), 'trailing-bytes');
  t.throws(() => sealRoutedDhtPk(realShared, nonce, senderReal.publicKey, new Uint8Array(40)), { instanceOf: EncodeError });
});

test('friend requests: nospam, message, and the bounds', (t) => {
  const message = new TextEncoder().encode('Hi! This friend request came through the onion.');
  const nospam = Uint8Array.of(0x12, 0x34, 0x56, 0x78);
  const payload = encodeFriendRequest({ nospam, message });
  t.deepEqual(payload.subarray(0, 5), Uint8Array.of(0x20, 0x12, 0x34, 0x56, 0x78));
  t.deepEqual(decodeFriendRequest(payload), { nospam, message });
  t.is(code(t, () => decodeFriendRequest(payload.subarray(0, 5))), 'truncated');
  t.is(decodeFriendRequest(payload.subarray(0, 6)).message.length, 1);
  const longest = new Uint8Array(1021).fill(0x61);
  longest[0] = 0x20;
  t.is(decodeFriendRequest(longest).message.length, 1016, 'what a receiver reads, though 943 is all that arrives over the onion');
  t.is(code(t, () => decodeFriendRequest(new Uint8Array([...longest, 0x61]))), 'trailing-bytes');
  t.is(code(t, () => decodeFriendRequest(Uint8Array.of(0x9c, 1, 2, 3, 4, 5))), 'bad-value');
  t.notThrows(() => encodeFriendRequest({ nospam, message: new Uint8Array(943) }));
  t.throws(() => encodeFriendRequest({ nospam, message: new Uint8Array(944) }), { instanceOf: EncodeError });
  t.throws(() => encodeFriendRequest({ nospam, message: new Uint8Array(0) }), { instanceOf: EncodeError });
  t.throws(() => encodeFriendRequest({ nospam: nospam.subarray(1), message }), { instanceOf: EncodeError });
});
