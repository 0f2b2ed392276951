/**
 * The control messages of channel 0: exact msgpack bytes, round trips, and what the
 * decoder refuses (never with anything but DecodeError).
 */
import test from 'ava';
import { encode } from '@msgpack/msgpack';
import { DecodeError, EncodeError } from '../../src/wire/index.ts';
import { ChannelState, ControlType, MAX_FRAME_BODY, MUX_VERSION, decodeControl, encodeControl } from '../../src/mux/index.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => Buffer.from(s).toString('hex');

test('VERSION is the map {type: 0, version: 1}, byte by byte', (t) => {
  t.is(MUX_VERSION, 1);
  const bytes = encodeControl({ type: 'version', version: 1 });
  t.is(hex(bytes), '82' + 'a4' + ascii('type') + '00' + 'a7' + ascii('version') + '01');
  t.deepEqual(decodeControl(bytes), { type: 'version', version: 1 });
});

test('a REQUEST, byte by byte', (t) => {
  const bytes = encodeControl({ type: 'channel', channel: 3, state: ChannelState.REQUEST, name: 'file://a', window: 262144 });
  t.is(hex(bytes), '85'
    + 'a4' + ascii('type') + '01'
    + 'a7' + ascii('channel') + '03'
    + 'a5' + ascii('state') + '00'
    + 'a4' + ascii('name') + 'a8' + ascii('file://a')
    + 'a6' + ascii('window') + 'ce00040000');
});

test('every message round-trips', (t) => {
  const messages = [
    { type: 'version', version: 7 },
    { type: 'channel', channel: 1, state: ChannelState.REQUEST, name: 'git://x', window: 4096 },
    { type: 'channel', channel: 2, state: ChannelState.ACCEPT, window: 0xffffffff },
    { type: 'channel', channel: 3, state: ChannelState.DECLINE, reason: 'no' },
    { type: 'channel', channel: 65534, state: ChannelState.RESET, reason: 'boom' },
    { type: 'credit', channel: 9, credit: 65536 },
    { type: 'credit', channel: 9, credit: 65536, window: 524288 },
    { type: 'goaway', reason: 'bye' },
  ] as const;
  for (const m of messages) {
    const back = decodeControl(encodeControl(m));
    t.like(back, m);
  }
  t.is(ControlType.GOAWAY, 3);
});

test('unknown types and states decode, so the protocol can grow', (t) => {
  t.deepEqual(decodeControl(encode({ type: 9, whatever: [1, 2] })), { type: 'unknown', code: 9 });
  const m = decodeControl(encode({ type: 1, channel: 5, state: 42, extra: 'ignored' }));
  t.like(m, { type: 'channel', channel: 5, state: 42 });
});

test('a longest name still fits in one frame', (t) => {
  const bytes = encodeControl({ type: 'channel', channel: 65533, state: 0, name: 'é'.repeat(512), window: 0xffffffff });
  t.true(bytes.length <= MAX_FRAME_BODY);
});

test('the decoder refuses what is not a well-formed message, with DecodeError only', (t) => {
  const bad = [
    new Uint8Array(0),
    Uint8Array.of(0xc1),
    encode([0, 1]),
    encode(null),
    encode('x'),
    encode({ version: 1 }),
    encode({ type: -1 }),
    encode({ type: 1.5 }),
    encode({ type: 0 }),
    encode({ type: 0, version: 0 }),
    encode({ type: 0, version: 256 }),
    encode({ type: 1, channel: 1, state: 0, window: 1 }),
    encode({ type: 1, channel: 1, state: 0, name: 5, window: 1 }),
    encode({ type: 1, channel: 1, state: 1 }),
    encode({ type: 1, channel: 70000, state: 2 }),
    encode({ type: 1, channel: 1, state: 2, reason: 1 }),
    encode({ type: 2, channel: 1, credit: 0 }),
    encode({ type: 2, channel: 1, credit: 2 ** 32 }),
    encode({ type: 2, channel: 1, credit: 1, window: 0 }),
    Uint8Array.of(...encode({ type: 0, version: 1 }), 0),
    new Uint8Array(MAX_FRAME_BODY + 1),
  ];
  for (const b of bad) t.throws(() => decodeControl(b), { instanceOf: DecodeError }, hex(b));
  t.throws(() => encodeControl({ type: 'credit', channel: 0, credit: 1 }), { instanceOf: EncodeError });
  t.throws(() => encodeControl({ type: 'channel', channel: 1, state: 0, name: 'x'.repeat(1400), window: 1 }), { instanceOf: EncodeError });
});
