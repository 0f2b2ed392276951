import test from 'ava';
import {
  ByteReader, DecodeError, Family, PACKED_NODE_SIZE_IPV4, PACKED_NODE_SIZE_IPV6, type PackedNode, decodePackedNode,
  fromHex, packNodes, toHex, unpackNodes,
} from '../../src/wire/index.ts';

const key = (b: number) => new Uint8Array(32).fill(b);
const v4: PackedNode = { protocol: 'udp', ipPort: { host: '127.0.0.1', port: 33445 }, publicKey: key(0x11) };
const v6: PackedNode = { protocol: 'udp', ipPort: { host: '::1', port: 1 }, publicKey: key(0x22) };
const tcp4: PackedNode = { protocol: 'tcp', ipPort: { host: '10.1.2.3', port: 443 }, publicKey: key(0x33) };
const tcp6: PackedNode = { protocol: 'tcp', ipPort: { host: 'fe80::1', port: 65535 }, publicKey: key(0x44) };

test('sizes are those of c-toxcore (39 and 51 bytes)', (t) => {
  t.is(PACKED_NODE_SIZE_IPV4, 39);
  t.is(PACKED_NODE_SIZE_IPV6, 51);
});

test('an IPv4 UDP node packs to its known bytes', (t) => {
  t.is(toHex(packNodes([v4])), '02' + '7f000001' + '82a5' + '11'.repeat(32));
});

test('the four families use bytes 2, 10, 130, 138', (t) => {
  t.is(packNodes([v4])[0], Family.UDP_IPV4);
  t.is(packNodes([v6])[0], 10);
  t.is(packNodes([tcp4])[0], 130);
  t.is(packNodes([tcp6])[0], 138);
  t.is(toHex(packNodes([v6])), '0a' + '00'.repeat(15) + '01' + '0001' + '22'.repeat(32));
});

test('nodes round-trip, back to back', (t) => {
  const bytes = packNodes([v4, v6, tcp4, tcp6]);
  t.is(bytes.length, 2 * 39 + 2 * 51);
  const { nodes, consumed } = unpackNodes(bytes, 4, { allowTcp: true });
  t.deepEqual(nodes, [v4, v6, tcp4, tcp6]);
  t.is(consumed, bytes.length);
});

test('TCP families are refused where relays are not expected', (t) => {
  const e = t.throws(() => unpackNodes(packNodes([v4, tcp4]), 4, { allowTcp: false }), { instanceOf: DecodeError });
  t.is(e?.code, 'bad-family');
});

test('an unknown family, a short address and a short key are refused', (t) => {
  const bytes = packNodes([v4]);
  const bad = bytes.slice(); bad[0] = 3;
  t.is(t.throws(() => unpackNodes(bad, 4, { allowTcp: true }), { instanceOf: DecodeError })?.code, 'bad-family');
  t.is(t.throws(() => unpackNodes(bytes.subarray(0, 4), 4, { allowTcp: true }), { instanceOf: DecodeError })?.code, 'truncated');
  t.is(t.throws(() => unpackNodes(bytes.subarray(0, 38), 4, { allowTcp: true }), { instanceOf: DecodeError })?.code, 'truncated');
});

test('unpacking stops at max and reports what it consumed, as unpack_nodes does', (t) => {
  const bytes = packNodes([v4, v4, v6]);
  const { nodes, consumed } = unpackNodes(bytes, 2, { allowTcp: false });
  t.is(nodes.length, 2);
  t.is(consumed, 78);
});

test('a decoded key is a copy: the packet buffer can be reused', (t) => {
  const bytes = packNodes([v4]);
  const node = decodePackedNode(new ByteReader(bytes), { allowTcp: false });
  bytes.fill(0);
  t.deepEqual(node.publicKey, key(0x11));
});

test('an IPv4-mapped IPv6 address keeps family 10', (t) => {
  const mapped: PackedNode = { protocol: 'udp', ipPort: { host: '::ffff:1.2.3.4', port: 5 }, publicKey: key(1) };
  const bytes = packNodes([mapped]);
  t.is(bytes[0], 10);
  t.deepEqual(unpackNodes(bytes, 1, { allowTcp: false }).nodes[0], mapped);
  t.is(toHex(bytes.subarray(1, 17)), '00000000000000000000ffff01020304');
  t.notThrows(() => fromHex(toHex(bytes)));
});
