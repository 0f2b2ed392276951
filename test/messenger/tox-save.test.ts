/**
 * c-toxcore savedata: the layout byte by byte, round trips, c-toxcore's leniencies, the
 * refusals, and fuzzing. The known answers from c-toxcore itself are test/vectors/savedata-*.json
 * (run by test/vectors.test.ts); this file checks what those cannot reach.
 */
import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { keyPairFromSecretKey } from '../../src/crypto/index.ts';
import {
  FRIEND_RECORD_SIZE, type SavedFriend, type ToxSave, ToxSaveError, ToxSaveSection, decodeToxSave, encodeToxSave,
  isEncryptedToxSave, MAX_TOX_SAVE_SIZE,
} from '../../src/messenger/index.ts';
import { type PackedNode, fromHex, ipFromBytes, toHex } from '../../src/wire/index.ts';
import { fuzzParser } from '../fuzz/harness.ts';

const te = new TextEncoder();
const key = (b: number): Uint8Array => new Uint8Array(32).fill(b);
const self = keyPairFromSecretKey(key(7));
const node = (protocol: 'udp' | 'tcp', host: string, port: number, b: number): PackedNode => ({ protocol, ipPort: { host, port }, publicKey: key(b) });

function baseSave(over: Partial<ToxSave> = {}): ToxSave {
  return {
    secretKey: self.secretKey, publicKey: self.publicKey, nospam: 0x01020304, name: new Uint8Array(0), statusMessage: new Uint8Array(0),
    userStatus: 0, friends: [], dhtNodes: [], tcpRelays: [], pathNodes: [], conferences: new Uint8Array(0), unknownSections: [], ...over,
  };
}

const le32 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset).getUint32(at, true);

/** The sections of an encoded save: [type, offset of body, length]. */
function sectionsOf(b: Uint8Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let at = 8; at + 8 <= b.length;) {
    const length = le32(b, at), type = le32(b, at + 4) & 0xffff;
    out.push([type, at + 8, length]);
    if (type === 255) break;
    at += 8 + length;
  }
  return out;
}

test('the layout: file header, sections in c-toxcore\'s order, little-endian headers, zeros after END', (t) => {
  const bytes = encodeToxSave(baseSave({ name: te.encode('Al'), userStatus: 2 }));
  t.is(toHex(bytes.subarray(0, 8)), '000000001f1bed15');
  const sections = sectionsOf(bytes);
  t.deepEqual(sections.map(([type]) => type), [1, 2, 3, 4, 5, 6, 10, 11, 20, 255]);
  // NOSPAMKEYS: header 44 00 00 00 | 01 00 ce 01, then nospam as in the Tox ID, public key, secret key.
  t.is(toHex(bytes.subarray(8, 16)), '440000000100ce01');
  t.is(toHex(bytes.subarray(16, 20)), '01020304');
  t.is(toHex(bytes.subarray(20, 52)), toHex(self.publicKey));
  t.is(toHex(bytes.subarray(52, 84)), toHex(self.secretKey));
  // DHT: its own cookie 0x0159000d and one empty nodes sub-section (cookie 0x11ce, type 4).
  const [, dhtAt, dhtLength] = sections[1]!;
  t.is(toHex(bytes.subarray(dhtAt, dhtAt + dhtLength)), '0d005901' + '00000000' + '0400ce11');
  const [, nameAt, nameLength] = sections[3]!;
  t.is(new TextDecoder().decode(bytes.subarray(nameAt, nameAt + nameLength)), 'Al');
  t.is(bytes[sections[5]![1]], 2, 'STATUS is one byte');
  // After END: the room c-toxcore reserves for 8 IPv6 relays and 8 IPv6 path nodes, zero.
  const endAt = sections[9]![1];
  t.is(bytes.length - endAt, 2 * 8 * 51);
  t.true(bytes.subarray(endAt).every((b) => b === 0));
});

test('a friend record is 2216 bytes, lengths and last seen big-endian at c-toxcore\'s offsets', (t) => {
  t.is(FRIEND_RECORD_SIZE, 2216);
  const confirmed: SavedFriend = { kind: 'confirmed', publicKey: key(1), name: te.encode('Bob'), statusMessage: te.encode('hi'), userStatus: 1, lastSeen: 0x0102030405060708n };
  const request: SavedFriend = { kind: 'request', publicKey: key(2), message: te.encode('add me'), nospam: 0xa1b2c3d4, requestSent: true };
  const bytes = encodeToxSave(baseSave({ friends: [confirmed, request] }));
  const [, at, length] = sectionsOf(bytes)[2]!;
  t.is(length, 2 * 2216);
  const c = bytes.subarray(at, at + 2216);
  t.is(c[0], 3);
  t.is(toHex(c.subarray(1, 33)), toHex(key(1)));
  t.is(toHex(c.subarray(1058, 1060)), '0000', 'no request message');
  t.is(toHex(c.subarray(1060, 1063)), toHex(te.encode('Bob')));
  t.is(toHex(c.subarray(1188, 1190)), '0003');
  t.is(toHex(c.subarray(1190, 1192)), toHex(te.encode('hi')));
  t.is(toHex(c.subarray(2198, 2200)), '0002');
  t.is(c[2200], 1);
  t.is(toHex(c.subarray(2204, 2208)), '00000000');
  t.is(toHex(c.subarray(2208, 2216)), '0102030405060708');
  const r = bytes.subarray(at + 2216, at + 4432);
  t.is(r[0], 2, 'a sent request is status 2');
  t.is(toHex(r.subarray(33, 39)), toHex(te.encode('add me')));
  t.is(toHex(r.subarray(1058, 1060)), '0006');
  t.is(toHex(r.subarray(2204, 2208)), 'a1b2c3d4', 'the nospam bytes as in the Tox ID');
  t.is(toHex(r.subarray(2208, 2216)), '0000000000000000');
  t.deepEqual(decodeToxSave(bytes).friends, [confirmed, request]);
});

/* ---- round trips ---- */

const bytesUpTo = (max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max });
const validKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((k) => (k[31]! &= 0x7f, k));
const host = fc.oneof(
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => ipFromBytes(b)),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => ipFromBytes(b)),
);
const nodeArb = (protocol: fc.Arbitrary<'udp' | 'tcp'>): fc.Arbitrary<PackedNode> =>
  fc.record({ protocol, ipPort: fc.record({ host, port: fc.integer({ min: 0, max: 65535 }) }), publicKey: validKey });
const friendArb: fc.Arbitrary<SavedFriend> = fc.oneof(
  fc.record({ kind: fc.constant('confirmed' as const), publicKey: validKey, name: bytesUpTo(128), statusMessage: bytesUpTo(1007),
    userStatus: fc.integer({ min: 0, max: 255 }), lastSeen: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
  fc.record({ kind: fc.constant('request' as const), publicKey: validKey, message: fc.uint8Array({ minLength: 1, maxLength: 1016 }),
    nospam: fc.nat({ max: 0xffffffff }), requestSent: fc.boolean() }),
);
const saveArb: fc.Arbitrary<ToxSave> = fc.record({
  secretKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  nospam: fc.nat({ max: 0xffffffff }),
  name: bytesUpTo(128),
  statusMessage: bytesUpTo(1007),
  userStatus: fc.constantFrom(0 as const, 1 as const, 2 as const),
  friends: fc.uniqueArray(friendArb, { maxLength: 4, selector: (f) => toHex(f.publicKey) }),
  dhtNodes: fc.array(nodeArb(fc.constant('udp' as const)), { maxLength: 6 }),
  tcpRelays: fc.array(nodeArb(fc.constantFrom('udp' as const, 'tcp' as const)), { maxLength: 8 }),
  pathNodes: fc.uniqueArray(nodeArb(fc.constant('udp' as const)), { maxLength: 8, selector: (n) => toHex(n.publicKey) }),
  conferences: bytesUpTo(64),
  unknownSections: fc.array(fc.record({ type: fc.integer({ min: 21, max: 254 }), data: bytesUpTo(32) }), { maxLength: 3 }),
}).map((s) => ({ ...s, publicKey: keyPairFromSecretKey(s.secretKey).publicKey }))
  .filter((s) => !s.friends.some((f) => toHex(f.publicKey) === toHex(s.publicKey)));

test('any valid state: decode(encode(s)) is s', (t) => {
  fc.assert(fc.property(saveArb, (s) => {
    t.deepEqual(decodeToxSave(encodeToxSave(s)), s);
  }), { numRuns: 150 });
});

/* ---- c-toxcore's leniencies that the vectors do not reach ---- */

test('a node list is read to its length mod 65536, as c-toxcore\'s uint16_t length reads it', (t) => {
  const relay = node('tcp', '10.0.0.1', 443, 1);
  const bytes = encodeToxSave(baseSave({ tcpRelays: [relay] }));
  const [, relayAt, relayLength] = sectionsOf(bytes)[6]!;
  t.is(relayLength, 39);
  // The TCP_RELAY body becomes the node, then 65 536 zeros, which would not unpack.
  const body = new Uint8Array(39 + 65536);
  body.set(bytes.subarray(relayAt, relayAt + 39), 0);
  const header = new Uint8Array(8);
  new DataView(header.buffer).setUint32(0, body.length, true);
  new DataView(header.buffer).setUint32(4, (0x01ce << 16) | ToxSaveSection.TCP_RELAY, true);
  const patched = new Uint8Array([...bytes.subarray(0, relayAt - 8), ...header, ...body, ...bytes.subarray(relayAt + 39)]);
  t.deepEqual(decodeToxSave(patched).tcpRelays, [relay], 'only the first 65 575 mod 65 536 = 39 bytes are read');
});

test('a request friend\'s name and a confirmed friend\'s message area are not read', (t) => {
  const bytes = encodeToxSave(baseSave({ friends: [{ kind: 'request', publicKey: key(3), message: te.encode('x'), nospam: 5, requestSent: false }] }));
  const [, at] = sectionsOf(bytes)[2]!;
  bytes[at + 1060] = 0x41;                         // a stray byte in the name area
  bytes[at + 1189] = 1;                            // and a name length
  const friend = decodeToxSave(bytes).friends[0]!;
  t.is(friend.kind, 'request');
  t.false('name' in friend);
});

/** A save of the identity then `sections` (each [type, body]), and END. */
function saveWith(sections: [number, Uint8Array][]): Uint8Array {
  const bytes = encodeToxSave(baseSave());
  const keysEnd = 8 + 8 + 68;
  const parts: number[] = [...bytes.subarray(0, keysEnd)];
  for (const [type, body] of [...sections, [255, new Uint8Array(0)] as [number, Uint8Array]]) {
    const header = new Uint8Array(8);
    new DataView(header.buffer).setUint32(0, body.length, true);
    new DataView(header.buffer).setUint32(4, (0x01ce << 16) | type, true);
    parts.push(...header, ...body);
  }
  return Uint8Array.from(parts);
}

test('path nodes: c-toxcore\'s ring of 32 slots, the first 8 slots saved', (t) => {
  const nodes = Array.from({ length: 40 }, (_, i) => node('udp', '10.0.0.1', 1000 + i, i + 1));
  t.deepEqual(decodeToxSave(saveWith(nodes.map(() => [ToxSaveSection.PATH_NODE, new Uint8Array(0)]))).pathNodes, [], 'empty sections add nothing');
  const packed = (n: PackedNode): Uint8Array => {
    const b = encodeToxSave(baseSave({ pathNodes: [n] }));
    const [, at, length] = sectionsOf(b)[7]!;
    return b.slice(at, at + length);
  };
  const ring = decodeToxSave(saveWith(nodes.map((n) => [ToxSaveSection.PATH_NODE, packed(n)])));
  t.deepEqual(ring.pathNodes.map((n) => n.ipPort.port), [1032, 1033, 1034, 1035, 1036, 1037, 1038, 1039], 'nodes 33 to 40 took slots 0 to 7');
  const again = decodeToxSave(saveWith([...nodes.slice(0, 3), nodes[1]!].map((n) => [ToxSaveSection.PATH_NODE, packed(n)])));
  t.deepEqual(again.pathNodes.map((n) => n.ipPort.port), [1000, 1001, 1002], 'a key already in a slot is skipped');
});

test('many small sections: bounded work, at most 64 unknown sections kept', (t) => {
  const sections: [number, Uint8Array][] = [];
  for (let i = 0; i < 100_000; i++) sections.push([i % 2 === 0 ? ToxSaveSection.FRIENDS : 99, new Uint8Array(0)]);
  const data = saveWith(sections);
  const started = performance.now();
  const save = decodeToxSave(data);
  const took = performance.now() - started;
  t.is(save.unknownSections.length, 64);
  t.true(took < 5000, `decoding ${data.length} bytes of small sections took ${took.toFixed(0)} ms`);
  t.log(`${data.length} bytes, 100 000 sections: ${took.toFixed(0)} ms`);
});

/* ---- refusals ---- */

test('an encrypted save is refused with a clear message', (t) => {
  const data = new Uint8Array([...te.encode('toxEsave'), ...new Uint8Array(80)]);
  t.true(isEncryptedToxSave(data));
  const error = t.throws(() => decodeToxSave(data), { instanceOf: ToxSaveError });
  t.is(error?.code, 'encrypted');
  t.regex(error?.message ?? '', /encrypted with a password.*unencrypted/);
});

test('a save without NOSPAMKEYS is refused: it holds no identity', (t) => {
  const data = fromHex('000000001f1bed15' + '010000000600ce01' + '00' + '00000000ff00ce01');
  const error = t.throws(() => decodeToxSave(data), { instanceOf: ToxSaveError });
  t.is(error?.code, 'no-keys');
});

test('a save over 64 MiB is refused before it is read', (t) => {
  const error = t.throws(() => decodeToxSave(new Uint8Array(MAX_TOX_SAVE_SIZE + 1)), { instanceOf: ToxSaveError });
  t.is(error?.code, 'too-large');
});

test('encodeToxSave refuses what c-toxcore would not load back, naming the field', (t) => {
  const other = keyPairFromSecretKey(key(8));
  const friend = (b: number): SavedFriend => ({ kind: 'confirmed', publicKey: key(b), name: new Uint8Array(0), statusMessage: new Uint8Array(0), userStatus: 0, lastSeen: 0n });
  const cases: [string, Partial<ToxSave>, RegExp][] = [
    ['keys that do not match', { publicKey: other.publicKey }, /public key/],
    ['a name of 129 bytes', { name: new Uint8Array(129) }, /name/],
    ['a status message of 1008 bytes', { statusMessage: new Uint8Array(1008) }, /status message/],
    ['user status 3', { userStatus: 3 as never }, /user status/],
    ['a friend twice', { friends: [friend(1), friend(1)] }, /twice/],
    ['our own key as a friend', { friends: [{ ...friend(1), publicKey: self.publicKey }] }, /own key/],
    ['an invalid friend key', { friends: [friend(0x80)] }, /valid/],
    ['an empty request message', { friends: [{ kind: 'request', publicKey: key(1), message: new Uint8Array(0), nospam: 0, requestSent: false }] }, /request message/],
    ['9 relays', { tcpRelays: Array.from({ length: 9 }, (_, i) => node('tcp', '10.0.0.1', i, 1)) }, /TCP relays/],
    ['a TCP path node', { pathNodes: [node('tcp', '10.0.0.1', 1, 1)] }, /UDP/],
    ['two path nodes with one key', { pathNodes: [node('udp', '10.0.0.1', 1, 1), node('udp', '10.0.0.2', 1, 1)] }, /same key/],
    ['a bad host', { dhtNodes: [node('udp', 'example.org', 1, 1)] }, /DHT nodes/],
    ['a known section type as unknown', { unknownSections: [{ type: ToxSaveSection.NAME, data: new Uint8Array(0) }] }, /section type/],
  ];
  for (const [what, over, message] of cases) {
    const error = t.throws(() => encodeToxSave(baseSave(over)), { instanceOf: ToxSaveError }, what);
    t.is(error?.code, 'invalid-value', what);
    t.regex(error?.message ?? '', message, what);
  }
});

/* ---- fuzz ---- */

const written = JSON.parse(readFileSync(new URL('../vectors/savedata-written.json', import.meta.url), 'utf8')) as {
  vectors: { name: string; expected: { savedata: string } }[];
};

function withoutTrailingZeros(b: Uint8Array): Uint8Array {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  return b.subarray(0, end);
}

test('decodeToxSave fails only with ToxSaveError, and what it reads writes back to the same state', (t) => {
  const small = baseSave({
    name: te.encode('n'),
    friends: [{ kind: 'request', publicKey: key(1), message: te.encode('m'), nospam: 1, requestSent: false }],
    dhtNodes: [node('udp', '127.0.0.1', 1, 2)], tcpRelays: [node('tcp', '::1', 2, 3)], pathNodes: [node('udp', '10.1.2.3', 3, 4)],
    unknownSections: [{ type: 99, data: te.encode('u') }],
  });
  const first = written.vectors[0]!;
  t.is(first.name, 'a new identity: keys and nospam only');
  fuzzParser(t, {
    parse: (b) => {
      const save = decodeToxSave(b);
      const again = encodeToxSave(save);
      if (!Buffer.from(encodeToxSave(decodeToxSave(again))).equals(again)) throw new Error(`not a fixed point: ${toHex(b)}`);
      return save;
    },
    errors: [ToxSaveError],
    // Without the zeros after END, which c-toxcore never reads: flipping them proves nothing.
    samples: [fromHex(first.expected.savedata), encodeToxSave(small)].map(withoutTrailingZeros),
    runs: 500,
    maxLength: 4096,
  });
});
