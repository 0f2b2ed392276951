/**
 * Announce requests and responses, both formats: sizes, round trips as node and client see
 * them, the node list rules, and the checks at their boundaries. What a c-toxcore announce
 * node answers is in test/vectors (onion-announce.json).
 */
import test from 'ava';
import { encryptPrecomputed, generateKeyPair } from '../../src/crypto/index.ts';
import { EncodeError, type PackedNode, packNodes } from '../../src/wire/index.ts';
import {
  ANNOUNCE_REQUEST_PLAIN_SIZE, ANNOUNCE_REQUEST_SIZE_RECV, ANNOUNCE_RESPONSE_BUILT_MAX_SIZE, AnnounceStatus,
  ONION_ANNOUNCE_REQUEST_SIZE, ONION_ANNOUNCE_RESPONSE_MAX_SIZE, ONION_ANNOUNCE_RESPONSE_MIN_SIZE, type AnnounceRequest,
  decodeAnnounceRequest, decodeAnnounceResponse, encodeAnnounceRequest, encodeAnnounceResponse, openAnnounceRequest,
  openAnnounceResponse,
} from '../../src/onion/index.ts';
import { code, filled, shared } from './fixtures.ts';

const node = generateKeyPair();
const sender = generateKeyPair();
const k = shared(node.publicKey, sender.secretKey);
const kNode = shared(sender.publicKey, node.secretKey);
const nonce = filled(24, 0x5a);
const request: AnnounceRequest = {
  pingId: filled(32, 0x01), searchPublicKey: sender.publicKey, dataPublicKey: filled(32, 0xda), sendback: filled(8, 0x5b),
};
const nodes: PackedNode[] = [
  { protocol: 'udp', ipPort: { host: '198.51.100.31', port: 33445 }, publicKey: filled(32, 1) },
  { protocol: 'udp', ipPort: { host: '2001:db8:1::32', port: 33445 }, publicKey: filled(32, 2) },
];

function arrived(req: Uint8Array, blob = filled(177, 0xb3)): Uint8Array {
  return new Uint8Array([...req, ...blob]);
}

test('sizes agree with c-toxcore 0.2.18', (t) => {
  t.is(ANNOUNCE_REQUEST_PLAIN_SIZE, 104);
  t.is(ONION_ANNOUNCE_REQUEST_SIZE, 177);
  t.is(ANNOUNCE_REQUEST_SIZE_RECV, 354);
  t.is(ONION_ANNOUNCE_RESPONSE_MIN_SIZE, 82);
  t.is(ONION_ANNOUNCE_RESPONSE_MAX_SIZE, 626);
  t.is(ANNOUNCE_RESPONSE_BUILT_MAX_SIZE, 286);
  t.deepEqual(AnnounceStatus, { NOT_STORED: 0, FOUND: 1, STORED: 2 });
});

test('a request as the node reads it, in both formats', (t) => {
  for (const [format, id] of [['old', 0x83], ['new', 0x87]] as const) {
    const packet = encodeAnnounceRequest(format, k, sender.publicKey, nonce, request);
    t.is(packet.length, 177);
    t.is(packet[0], id);
    const env = decodeAnnounceRequest(arrived(packet));
    t.is(env.format, format);
    t.deepEqual(env.senderPublicKey, sender.publicKey);
    t.deepEqual(env.returnPath, filled(177, 0xb3));
    t.deepEqual(openAnnounceRequest(env, kNode), request);
  }
});

test('the node takes exactly 354 bytes, ids 0x83 and 0x87', (t) => {
  const packet = arrived(encodeAnnounceRequest('old', k, sender.publicKey, nonce, request));
  t.is(code(t, () => decodeAnnounceRequest(packet.subarray(0, 353))), 'truncated');
  t.is(code(t, () => decodeAnnounceRequest(new Uint8Array([...packet, 0]))), 'trailing-bytes');
  t.is(code(t, () => decodeAnnounceRequest(Uint8Array.of(0x85, ...packet.subarray(1)))), 'bad-value');
  packet[60]! ^= 1;
  t.is(openAnnounceRequest(decodeAnnounceRequest(packet), kNode), undefined, 'a changed box');
});

test('a response as the client reads it, in both formats', (t) => {
  for (const [format, id, count] of [['old', 0x84, 0], ['new', 0x88, 1]] as const) {
    const contents = { isStored: AnnounceStatus.STORED, pingIdOrKey: filled(32, 0x77), nodes };
    const packet = encodeAnnounceResponse(format, kNode, nonce, request.sendback, contents);
    t.is(packet[0], id);
    t.is(packet.length, 82 + count + 39 + 51);
    const env = decodeAnnounceResponse(packet);
    t.deepEqual(env.sendback, request.sendback);
    t.deepEqual(openAnnounceResponse(env, k), { ...contents, nodesError: undefined, extra: new Uint8Array(0) });
  }
  const bare = encodeAnnounceResponse('old', kNode, nonce, request.sendback, { isStored: 0, pingIdOrKey: filled(32, 9), nodes: [] });
  t.is(bare.length, 82);
  t.deepEqual(openAnnounceResponse(decodeAnnounceResponse(bare), k)?.nodes, []);
});

test('the client takes 82 to 626 bytes', (t) => {
  t.is(code(t, () => decodeAnnounceResponse(new Uint8Array(81).fill(0x84))), 'truncated');
  t.notThrows(() => decodeAnnounceResponse(new Uint8Array(626).fill(0x84)));
  t.is(code(t, () => decodeAnnounceResponse(new Uint8Array(627).fill(0x84))), 'trailing-bytes');
  t.is(code(t, () => decodeAnnounceResponse(new Uint8Array(82).fill(0x88))), 'truncated', 'the new format needs its count byte');
  t.is(code(t, () => decodeAnnounceResponse(new Uint8Array(100).fill(0x86))), 'bad-value');
});

/** A response box holding `plain`, as a node would seal it. */
function responseWith(format: 'old' | 'new', plain: Uint8Array): Uint8Array {
  // The header of a response without nodes, then the plaintext sealed as the node seals it.
  const head = encodeAnnounceResponse(format, kNode, nonce, request.sendback, { isStored: 0, pingIdOrKey: filled(32, 9), nodes: [] });
  return new Uint8Array([...head.subarray(0, 33), ...encryptPrecomputed(kNode, nonce, plain)]);
}

test('nodes: bytes after the fourth are ignored, bad ones are reported and the status kept', (t) => {
  const four = packNodes([...nodes, ...nodes]);
  const plain = new Uint8Array([2, ...filled(32, 7), ...four, ...filled(20, 0xee)]);
  const opened = openAnnounceResponse(decodeAnnounceResponse(responseWith('old', plain)), k);
  t.is(opened?.nodes.length, 4);
  t.is(opened?.nodesError, undefined);

  const bad = new Uint8Array([2, ...filled(32, 7), ...packNodes(nodes)]);
  bad[33 + 39] = 130; // the second node: a TCP family, not allowed here
  const refused = openAnnounceResponse(decodeAnnounceResponse(responseWith('old', bad)), k);
  t.deepEqual([refused?.isStored, refused?.nodes.length, refused?.nodesError], [2, 0, 'bad-family']);

  const newFormat = new Uint8Array([0, ...filled(32, 7), 5, ...packNodes(nodes)]);
  t.is(openAnnounceResponse(decodeAnnounceResponse(responseWith('new', newFormat)), k)?.nodesError, 'bad-value', 'a count over 4');
  const extra = new Uint8Array([0, ...filled(32, 7), 1, ...packNodes(nodes.slice(0, 1)), 9, 9, 9]);
  const withExtra = openAnnounceResponse(decodeAnnounceResponse(responseWith('new', extra)), k);
  t.deepEqual([withExtra?.nodes.length, withExtra?.extra], [1, Uint8Array.of(9, 9, 9)]);
  const other = shared(node.publicKey, generateKeyPair().secretKey);
  t.is(openAnnounceResponse(decodeAnnounceResponse(responseWith('old', bad)), other), undefined, 'another key');
});

test('bad arguments are EncodeErrors', (t) => {
  t.throws(() => encodeAnnounceRequest('old', k, sender.publicKey, nonce, { ...request, sendback: filled(7, 0) }), { instanceOf: EncodeError });
  t.throws(() => encodeAnnounceRequest('old', k, sender.publicKey, nonce, { ...request, pingId: filled(31, 0) }), { instanceOf: EncodeError });
  const contents = { isStored: 0, pingIdOrKey: filled(32, 0), nodes };
  t.throws(() => encodeAnnounceResponse('old', kNode, nonce, request.sendback, { ...contents, nodes: [...nodes, ...nodes, nodes[0]!] }),
    { instanceOf: EncodeError });
  t.throws(() => encodeAnnounceResponse('old', kNode, nonce, request.sendback, { ...contents, nodes: [{ ...nodes[0]!, protocol: 'tcp' }] }),
    { instanceOf: EncodeError });
  t.throws(() => encodeAnnounceResponse('old', kNode, nonce, request.sendback, { ...contents, isStored: 256 }), { instanceOf: EncodeError });
});
