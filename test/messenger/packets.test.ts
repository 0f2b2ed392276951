/**
 * The Messenger's packets (24, 25, 48–51, 64, 65, custom 160–191): known answers from real
 * c-toxcore 0.2.18 (the lossless payloads its session sent in the capture of
 * test/vectors/netcrypto-session.json: online, name, status message, user status, typing,
 * a message, custom packets up to 1373 bytes), inline known answers of every encoder,
 * c-toxcore's receiving limits, round trips and fuzzing; and the Messenger config check.
 */
import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { DecodeError, type DecodeErrorCode, EncodeError, fromHex, toHex } from '../../src/wire/index.ts';
import {
  MAX_CUSTOM_PACKET_SIZE, MAX_MESSAGE_LENGTH, MessengerError, decodeMessengerPacket, encodeMessage, encodeName, encodeOffline, encodeOnline,
  encodeStatusMessage, encodeTyping, encodeUserStatus, messengerConfig, type MessengerPacket, type UserStatus,
} from '../../src/messenger/index.ts';
import { type Json, field, isObject, str } from '../vectors/fields.ts';
import { fuzzParser } from '../fuzz/harness.ts';

const session = JSON.parse(readFileSync(new URL('../vectors/netcrypto-session.json', import.meta.url), 'utf8')) as { vectors: Json[] };

/** The lossless payloads the C peer sent in one captured session, in packet-number order. */
function cLossless(v: Json): Uint8Array[] {
  const inputs = field(field(v, 'input') as Json, 'datagrams') as Json[];
  const decoded = field(field(v, 'expected') as Json, 'datagrams') as Json[];
  const byNumber = new Map<number, string>();
  decoded.forEach((d, i) => {
    if (!isObject(d) || d.kind !== 'data' || d.payload_kind !== 'lossless') return;
    if (str(inputs[i]!, 'direction') !== 'from-c') return;
    byNumber.set(d.packet_number as number, str(d, 'payload'));
  });
  return [...byNumber.entries()].sort((a, b) => a[0] - b[0]).map(([, hex]) => fromHex(hex));
}

const plain = (p: MessengerPacket): unknown => JSON.parse(JSON.stringify(p, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v)));
const utf8 = (s: string) => new TextEncoder().encode(s);

test('what c-toxcore 0.2.18 sends when a friend comes online, and its messages, decode (known answers)', (t) => {
  t.is(session.vectors.length, 2);
  for (const v of session.vectors) {
    // The friend layer's alive packets (16) come whenever its timer says: not the Messenger's.
    const payloads = cLossless(v).filter((p) => p[0] !== 16);
    const kinds = payloads.map((p) => {
      const d = decodeMessengerPacket(p);
      return d.kind === 'unknown' || d.kind === 'custom-lossless' ? `${d.kind}:${d.id}` : d.kind;
    });
    // online on the session coming up, online again answering ours, then name, status
    // message, user status and typing (do_friends), then the message the capture asked for.
    t.deepEqual(kinds.slice(0, 7), ['online', 'online', 'name', 'status-message', 'user-status', 'typing', 'message'], str(v, 'name'));
    t.deepEqual(plain(decodeMessengerPacket(payloads[2]!)), { kind: 'name', name: '' });
    t.deepEqual(plain(decodeMessengerPacket(payloads[4]!)), { kind: 'user-status', userStatus: 0 });
    t.deepEqual(plain(decodeMessengerPacket(payloads[5]!)), { kind: 'typing', typing: false });
    const message = decodeMessengerPacket(payloads[6]!);
    t.true(message.kind === 'message' && message.type === 'normal' && new TextDecoder().decode(message.message).startsWith('a message from c-toxcore'));
    const expected = ((field(field(v, 'expected') as Json, 'c_sent') as Json).lossless as string[]).map(fromHex);
    const custom = expected.filter((p) => p[0] === 0xa0);
    t.true(custom.some((p) => p.length === MAX_CUSTOM_PACKET_SIZE), 'a 1373-byte custom packet among them');
    for (const p of custom.filter((c) => c.length <= MAX_CUSTOM_PACKET_SIZE)) {
      t.deepEqual(plain(decodeMessengerPacket(p)), { kind: 'custom-lossless', id: 0xa0, data: toHex(p) });
    }
    // Our encoders write what c-toxcore wrote.
    t.is(toHex(encodeOnline()), toHex(payloads[0]!));
    t.is(toHex(encodeName(new Uint8Array(0))), toHex(payloads[2]!));
    t.is(toHex(encodeStatusMessage(new Uint8Array(0))), toHex(payloads[3]!));
    t.is(toHex(encodeUserStatus(0)), toHex(payloads[4]!));
    t.is(toHex(encodeTyping(false)), toHex(payloads[5]!));
    t.is(toHex(encodeMessage('normal', (message as { message: Uint8Array }).message)), toHex(payloads[6]!));
  }
});

test('encoders: inline known answers', (t) => {
  t.is(toHex(encodeOnline()), '18');
  t.is(toHex(encodeOffline()), '19');
  t.is(toHex(encodeName(utf8('Bob'))), '30426f62');
  t.is(toHex(encodeStatusMessage(utf8('hi'))), '316869');
  t.is(toHex(encodeUserStatus(2)), '3202');
  t.is(toHex(encodeTyping(true)), '3301');
  t.is(toHex(encodeMessage('normal', utf8('yo'))), '40796f');
  t.is(toHex(encodeMessage('action', utf8('waves'))), '417761766573');
  t.is(MAX_MESSAGE_LENGTH, 1372);
  t.is(MAX_CUSTOM_PACKET_SIZE, 1373);
});

test('encoders refuse what c-toxcore would not send', (t) => {
  const bad: Array<() => unknown> = [
    () => encodeName(new Uint8Array(129)),
    () => encodeStatusMessage(new Uint8Array(1008)),
    () => encodeUserStatus(3 as UserStatus),
    () => encodeMessage('normal', new Uint8Array(0)),
    () => encodeMessage('normal', new Uint8Array(1373)),
    () => encodeMessage('shout' as 'normal', Uint8Array.of(1)),
  ];
  for (const f of bad) t.throws(f, { instanceOf: EncodeError });
  t.is(encodeName(new Uint8Array(128)).length, 129);
  t.is(encodeStatusMessage(new Uint8Array(1007)).length, 1008);
  t.is(encodeMessage('action', new Uint8Array(1372)).length, 1373);
});

test('decoding applies m_handle_packet\'s limits', (t) => {
  const cases: Array<[Uint8Array, DecodeErrorCode]> = [
    [new Uint8Array(0), 'truncated'],
    [Uint8Array.of(24, 0), 'trailing-bytes'],
    [Uint8Array.of(25, 1), 'trailing-bytes'],
    [new Uint8Array([48, ...new Uint8Array(129)]), 'trailing-bytes'],
    [new Uint8Array([49, ...new Uint8Array(1008)]), 'trailing-bytes'],
    [Uint8Array.of(50), 'truncated'],
    [Uint8Array.of(50, 0, 0), 'trailing-bytes'],
    [Uint8Array.of(50, 3), 'bad-value'],
    [Uint8Array.of(51), 'truncated'],
    [Uint8Array.of(51, 1, 1), 'trailing-bytes'],
    [Uint8Array.of(64), 'truncated'],
    [Uint8Array.of(65), 'truncated'],
    [new Uint8Array([64, ...new Uint8Array(1373)]), 'trailing-bytes'],
    [new Uint8Array([0xa0, ...new Uint8Array(1373)]), 'trailing-bytes'],
  ];
  for (const [bytes, code] of cases) {
    t.is(t.throws(() => decodeMessengerPacket(bytes), { instanceOf: DecodeError })?.code, code, toHex(bytes.subarray(0, 3)));
  }
  // Accepted edges: an empty name and status message, any non-zero typing byte, one-byte custom packets.
  t.deepEqual(plain(decodeMessengerPacket(Uint8Array.of(48))), { kind: 'name', name: '' });
  t.deepEqual(plain(decodeMessengerPacket(new Uint8Array([48, ...new Uint8Array(128).fill(65)]))), { kind: 'name', name: '41'.repeat(128) });
  t.deepEqual(plain(decodeMessengerPacket(Uint8Array.of(51, 7))), { kind: 'typing', typing: true });
  t.deepEqual(plain(decodeMessengerPacket(Uint8Array.of(191))), { kind: 'custom-lossless', id: 191, data: 'bf' });
  // Ids the Messenger does not handle come back as unknown, never as an error.
  for (const id of [16, 17, 19, 23, 26, 69, 80, 81, 82, 96, 97, 100, 159, 192, 255]) {
    t.deepEqual(plain(decodeMessengerPacket(Uint8Array.of(id, 1, 2))), { kind: 'unknown', id });
  }
});

test('every packet round-trips', (t) => {
  fc.assert(fc.property(
    fc.oneof(
      fc.constant<MessengerPacket>({ kind: 'online' }),
      fc.constant<MessengerPacket>({ kind: 'offline' }),
      fc.uint8Array({ maxLength: 128 }).map((name): MessengerPacket => ({ kind: 'name', name })),
      fc.uint8Array({ maxLength: 1007 }).map((statusMessage): MessengerPacket => ({ kind: 'status-message', statusMessage })),
      fc.constantFrom<UserStatus>(0, 1, 2).map((userStatus): MessengerPacket => ({ kind: 'user-status', userStatus })),
      fc.boolean().map((typing): MessengerPacket => ({ kind: 'typing', typing })),
      fc.tuple(fc.constantFrom('normal' as const, 'action' as const), fc.uint8Array({ minLength: 1, maxLength: 1372 }))
        .map(([type, message]): MessengerPacket => ({ kind: 'message', type, message })),
    ),
    (p) => {
      const bytes = p.kind === 'online' ? encodeOnline()
        : p.kind === 'offline' ? encodeOffline()
          : p.kind === 'name' ? encodeName(p.name)
            : p.kind === 'status-message' ? encodeStatusMessage(p.statusMessage)
              : p.kind === 'user-status' ? encodeUserStatus(p.userStatus)
                : p.kind === 'typing' ? encodeTyping(p.typing)
                  : p.kind === 'message' ? encodeMessage(p.type, p.message) : new Uint8Array(0);
      return JSON.stringify(plain(decodeMessengerPacket(bytes))) === JSON.stringify(plain(p));
    },
  ), { numRuns: 500 });
  t.pass();
});

test('decodeMessengerPacket fails only with DecodeError and returns no more than it was given', (t) => {
  fuzzParser(t, {
    parse: decodeMessengerPacket,
    errors: [DecodeError],
    samples: [
      encodeOnline(), encodeName(utf8('Alice')), encodeStatusMessage(utf8('busy coding')), encodeUserStatus(1), encodeTyping(true),
      encodeMessage('normal', utf8('hello there')), encodeMessage('action', utf8('waves')), Uint8Array.of(0xa5, 1, 2, 3),
    ],
    outputSize: (p) => ('name' in p ? p.name.length : 'statusMessage' in p ? p.statusMessage.length
      : 'message' in p ? p.message.length : 'data' in p ? p.data.length : 0),
  });
});

test('the config is checked', (t) => {
  t.is(messengerConfig().friendRequestTimeoutMs, 5_000);
  t.is(messengerConfig({ receiptCheckMs: 10 }).receiptCheckMs, 10);
  for (const bad of [{ friendRequestTimeoutMs: 0 }, { friendRequestMaxTimeoutMs: 100 }, { receiptCheckMs: 0.5 }, { maxReceivedRequests: 0 }]) {
    t.is(t.throws(() => messengerConfig(bad), { instanceOf: MessengerError })?.code, 'bad-config', JSON.stringify(bad));
  }
});
