/**
 * The friend layer's packets (alive 16, share relays 17, friend request 18): known answers
 * built from c-toxcore's layout (the share-relays bytes are 0x11 followed by packed nodes
 * that c-toxcore 0.2.18's own `pack_nodes` wrote, from test/vectors/packed-nodes.json),
 * round trips, fuzzing; the relay address rule, the relay book and the config check.
 */
import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { DecodeError, EncodeError, type PackedNode, fromHex, toHex } from '../../src/wire/index.ts';
import {
  FriendError, RelayBook, decodeFriendRequestPacket, decodeShareRelays, encodeAlive, encodeFriendRequestPacket, encodeShareRelays,
  friendConnectionsConfig, relayAddressFromFriend,
} from '../../src/friend/index.ts';
import { type Json, field, isObject, str } from '../vectors/fields.ts';
import { fuzzParser } from '../fuzz/harness.ts';

const suite = JSON.parse(readFileSync(new URL('../vectors/packed-nodes.json', import.meta.url), 'utf8')) as { vectors: Json[] };
const vector = (name: string): Json => {
  const v = suite.vectors.find((x) => x.name === name);
  if (v === undefined) throw new Error(`no vector ${name}`);
  return v;
};
const nodesOf = (o: Json): PackedNode[] => (field(o, 'nodes') as unknown[]).map((n) => {
  if (!isObject(n)) throw new TypeError('node');
  return { protocol: str(n, 'protocol') as 'udp' | 'tcp', ipPort: { host: str(n, 'host'), port: n.port as number }, publicKey: fromHex(str(n, 'public_key')) };
});
const plain = (nodes: PackedNode[]) => nodes.map((n) => ({ protocol: n.protocol, host: n.ipPort.host, port: n.ipPort.port, key: toHex(n.publicKey) }));

test('alive is the one byte 16', (t) => {
  t.deepEqual([...encodeAlive()], [16]);
  t.not(encodeAlive(), encodeAlive(), 'a new array each time');
});

test('share relays: 0x11 then the relays as c-toxcore packs them (known answers from c-toxcore 0.2.18)', (t) => {
  for (const name of ['encode tcp ipv4 node', 'encode tcp ipv6 node']) {
    const v = vector(name);
    const nodes = nodesOf(v.input as Json);
    const bytes = str(v.expected as Json, 'bytes');
    t.is(toHex(encodeShareRelays(nodes)), `11${bytes}`, name);
    t.deepEqual(plain(decodeShareRelays(fromHex(`11${bytes}`))), plain(nodes));
  }
  // UDP relays are written with the TCP family, as tcp_copy_connected_relays does.
  const udp = nodesOf(vector('encode ipv4 udp node').input as Json);
  const asTcp = encodeShareRelays(udp);
  t.is(asTcp[1], 130);
  t.is(toHex(asTcp.subarray(2)), str(vector('encode ipv4 udp node').expected as Json, 'bytes').slice(2));
  // A receiver reads 3 relays at most, leaving the rest (c-toxcore's mixed 4-node list: the 4th is not read).
  const mixed = vector('encode mixed list of 4 nodes');
  const four = nodesOf(mixed.input as Json);
  const read = decodeShareRelays(fromHex(`11${str(mixed.expected as Json, 'bytes')}`));
  t.deepEqual(plain(read), plain(four.slice(0, 3)));
  t.deepEqual(decodeShareRelays(Uint8Array.of(17)), [], 'the id alone: no relays');
  t.throws(() => encodeShareRelays(four), { instanceOf: EncodeError });
});

test('share relays: an inline known answer', (t) => {
  const relay: PackedNode = { protocol: 'tcp', ipPort: { host: '192.0.2.1', port: 3389 }, publicKey: new Uint8Array(32).map((_, i) => i + 1) };
  const hex = `11` + `82` + `c0000201` + `0d3d` + toHex(relay.publicKey);
  t.is(toHex(encodeShareRelays([relay])), hex);
});

test('share relays: bad input is a DecodeError', (t) => {
  const good = encodeShareRelays([{ protocol: 'tcp', ipPort: { host: '192.0.2.1', port: 1 }, publicKey: new Uint8Array(32) }]);
  for (const [bytes, code] of [
    [new Uint8Array(0), 'truncated'], [Uint8Array.of(18), 'bad-value'], [Uint8Array.of(17, 3), 'bad-family'],
    [good.subarray(0, good.length - 1), 'truncated'], [Uint8Array.of(17, 130, 1, 2), 'truncated'],
  ] as const) {
    t.is(t.throws(() => decodeShareRelays(bytes), { instanceOf: DecodeError })?.code, code, toHex(bytes));
  }
});

const arbNode: fc.Arbitrary<PackedNode> = fc.record({
  protocol: fc.constant('tcp' as const),
  ipPort: fc.record({
    host: fc.oneof(fc.ipV4(), fc.constantFrom('2001:db8::1', '::1', 'fe80::1:2', '2001:db8:85a3:1234:5678:8a2e:370:7334')),
    port: fc.integer({ min: 0, max: 65535 }),
  }),
  publicKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
});

test('share relays round-trip', (t) => {
  fc.assert(fc.property(fc.array(arbNode, { maxLength: 3 }), (nodes) => {
    const back = decodeShareRelays(encodeShareRelays(nodes));
    return JSON.stringify(plain(back)) === JSON.stringify(plain(nodes));
  }), { numRuns: 500 });
  t.pass();
});

test('friend request: [18][nospam as in the Tox ID][message], as send_friend_request_packet builds it', (t) => {
  const packet = encodeFriendRequestPacket({ nospam: 0xdeadbeef, message: new TextEncoder().encode('Hi') });
  t.is(toHex(packet), '12deadbeef4869');
  const back = decodeFriendRequestPacket(packet);
  t.is(back.nospam, 0xdeadbeef);
  t.deepEqual([...back.message], [0x48, 0x69]);
  const longest = encodeFriendRequestPacket({ nospam: 1, message: new Uint8Array(1016).fill(7) });
  t.is(longest.length, 1021);
  t.is(decodeFriendRequestPacket(longest).message.length, 1016);
  for (const message of [new Uint8Array(0), new Uint8Array(1017)]) {
    t.throws(() => encodeFriendRequestPacket({ nospam: 1, message }), { instanceOf: EncodeError });
  }
  t.throws(() => encodeFriendRequestPacket({ nospam: 2 ** 32, message: Uint8Array.of(1) }), { instanceOf: EncodeError });
  for (const [bytes, code] of [
    [Uint8Array.of(18, 0, 0, 0, 1), 'truncated'], [new Uint8Array(1022).fill(18), 'trailing-bytes'], [Uint8Array.of(32, 0, 0, 0, 1, 65), 'bad-value'],
    [new Uint8Array(0), 'truncated'],
  ] as const) {
    t.is(t.throws(() => decodeFriendRequestPacket(bytes), { instanceOf: DecodeError })?.code, code);
  }
});

test('friend request round-trip', (t) => {
  fc.assert(fc.property(fc.nat({ max: 0xffffffff }), fc.uint8Array({ minLength: 1, maxLength: 1016 }), (nospam, message) => {
    const back = decodeFriendRequestPacket(encodeFriendRequestPacket({ nospam, message }));
    return back.nospam === nospam && toHex(back.message) === toHex(message);
  }), { numRuns: 300 });
  t.pass();
});

test('decodeShareRelays fails only with DecodeError and returns at most 3 relays', (t) => {
  fuzzParser(t, {
    parse: decodeShareRelays,
    errors: [DecodeError],
    samples: [
      encodeShareRelays([{ protocol: 'tcp', ipPort: { host: '192.0.2.1', port: 33445 }, publicKey: new Uint8Array(32).fill(1) },
        { protocol: 'tcp', ipPort: { host: '2001:db8::5', port: 443 }, publicKey: new Uint8Array(32).fill(2) }]),
      Uint8Array.of(17),
    ],
    outputSize: (nodes) => nodes.length,
    maxOutput: () => 3,
  });
});

test('decodeFriendRequestPacket fails only with DecodeError and returns no more than it was given', (t) => {
  fuzzParser(t, {
    parse: decodeFriendRequestPacket,
    errors: [DecodeError],
    samples: [encodeFriendRequestPacket({ nospam: 0x01020304, message: new TextEncoder().encode('let me in') })],
    outputSize: (r) => 4 + r.message.length,
  });
});

test('where a shared relay is reached: loopback at the friend\'s address, LAN only from a friend on our LAN', (t) => {
  const pub = { host: '203.0.113.9', port: 33445 };
  const lanFriend = { host: '192.168.1.20', port: 33445 };
  t.deepEqual(relayAddressFromFriend({ host: '127.0.0.1', port: 3389 }, pub), { host: '203.0.113.9', port: 3389 });
  t.deepEqual(relayAddressFromFriend({ host: '::1', port: 3389 }, pub), { host: '203.0.113.9', port: 3389 });
  t.deepEqual(relayAddressFromFriend({ host: '192.168.1.5', port: 443 }, pub), { host: '203.0.113.9', port: 443 });
  t.deepEqual(relayAddressFromFriend({ host: '10.0.0.5', port: 443 }, lanFriend), { host: '10.0.0.5', port: 443 }, 'LAN from a LAN friend');
  t.deepEqual(relayAddressFromFriend({ host: '127.0.0.1', port: 443 }, lanFriend), { host: '192.168.1.20', port: 443 });
  t.deepEqual(relayAddressFromFriend({ host: '198.51.100.1', port: 443 }, pub), { host: '198.51.100.1', port: 443 }, 'public kept');
  t.deepEqual(relayAddressFromFriend({ host: '127.0.0.1', port: 443 }, undefined), { host: '127.0.0.1', port: 443 }, 'no friend address: kept');
});

test('the relay book keeps the newest, one per key, up to its bound', (t) => {
  const book = new RelayBook(3);
  const r = (n: number, host = `192.0.2.${n}`) => ({ address: { host, port: 1 }, publicKey: new Uint8Array(32).fill(n) });
  for (const n of [1, 2, 3, 4]) book.add(r(n));
  t.deepEqual(book.all().map((x) => x.publicKey[0]), [2, 3, 4]);
  book.add(r(2, '198.51.100.2'));
  t.deepEqual(book.all().map((x) => [x.publicKey[0], x.address.host]), [[3, '192.0.2.3'], [4, '192.0.2.4'], [2, '198.51.100.2']]);
  t.deepEqual(book.newest(2).map((x) => x.publicKey[0]), [2, 4]);
  t.is(book.size, 3);
});

test('the config is checked', (t) => {
  t.is(friendConnectionsConfig().shareRelaysIntervalMs, 300_000);
  t.is(friendConnectionsConfig({ shareRelaysIntervalMs: 120_000 }).shareRelaysIntervalMs, 120_000);
  for (const bad of [{ pingIntervalMs: 0 }, { connectionTimeoutMs: 8_000 }, { maxSharedRelays: 4 }, { retryDelayMs: 1.5 }, { maxLocks: 70_000 }]) {
    t.is(t.throws(() => friendConnectionsConfig(bad), { instanceOf: FriendError })?.code, 'bad-config', JSON.stringify(bad));
  }
});
