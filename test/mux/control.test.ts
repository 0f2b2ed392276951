/**
 * The control messages of channel 0: exact msgpack bytes, round trips, and what the
 * decoder refuses (never with anything but DecodeError).
 */
import test from 'ava';
import { Decoder, encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { DecodeError, EncodeError } from '../../src/wire/index.ts';
import { ChannelState, ControlType, MAX_FRAME_BODY, MUX_VERSION, decodeControl, encodeControl, type ControlMessage } from '../../src/mux/index.ts';
import { readPlainMap } from '../../src/mux/control-msgpack.ts';

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

// ---- the direct codec (control-msgpack.ts) against the general msgpack codec ----

const asciiString = fc.string({ maxLength: 40 });
const anyString = fc.oneof(asciiString, fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ maxLength: 1024 }));
const u32 = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 0x1ffff }), fc.integer({ min: 0, max: 0xffffffff }));
const id = fc.integer({ min: 1, max: 0xfffe });
const message = fc.oneof(
  fc.record({ type: fc.constant('version' as const), version: fc.integer({ min: 1, max: 255 }) }),
  fc.record({
    type: fc.constant('channel' as const), channel: id, state: u32,
    name: fc.option(anyString, { nil: undefined }), window: fc.option(u32, { nil: undefined }), reason: fc.option(anyString, { nil: undefined }),
  }),
  fc.record({ type: fc.constant('credit' as const), channel: id, credit: u32.filter((n) => n > 0), window: fc.option(u32.filter((n) => n > 0), { nil: undefined }) }),
  fc.record({ type: fc.constant('goaway' as const), reason: anyString }),
);

/** The map the general encoder is given for `m`: the same keys in the same order. */
function referenceMap(m: Exclude<ControlMessage, { type: 'unknown' }>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  switch (m.type) {
    case 'version': return { type: 0, version: m.version };
    case 'channel':
      Object.assign(out, { type: 1, channel: m.channel, state: m.state });
      if (m.name !== undefined) out.name = m.name;
      if (m.window !== undefined) out.window = m.window;
      if (m.reason !== undefined) out.reason = m.reason;
      return out;
    case 'credit':
      Object.assign(out, { type: 2, channel: m.channel, credit: m.credit });
      if (m.window !== undefined) out.window = m.window;
      return out;
    case 'goaway': return { type: 3, reason: m.reason };
  }
}

/** Whether `s` is well-formed UTF-16 (no lone surrogate: the general encoder writes those its own way). */
const wellFormed = (s: string | undefined): boolean => s === undefined || Buffer.from(s, 'utf8').toString('utf8') === s;

test('encodeControl writes exactly the bytes of the general msgpack encoder, for every message', (t) => {
  fc.assert(fc.property(message, (m) => {
    if (!wellFormed((m as { name?: string }).name) || !wellFormed((m as { reason?: string }).reason)) return true;
    let mine: Uint8Array;
    try {
      mine = encodeControl(m);
    } catch (error) {
      // Only a message too long for a frame is refused.
      return error instanceof EncodeError && encode(referenceMap(m)).length > MAX_FRAME_BODY;
    }
    return hex(mine) === hex(encode(referenceMap(m))) && mine.buffer.byteLength === mine.length;
  }), { numRuns: 3000 });
  t.pass();
});

test('the direct reader and the general decoder give the same message, or the same refusal', (t) => {
  const general = new Decoder({ maxStrLength: MAX_FRAME_BODY, maxBinLength: MAX_FRAME_BODY, maxArrayLength: 64, maxMapLength: 32, maxExtLength: 64 });
  const viaGeneral = (b: Uint8Array): unknown => {
    try {
      const v = general.decode(b);
      if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) return 'refused';
      return v;
    } catch {
      return 'refused';
    }
  };
  const anyValue = fc.oneof(u32, asciiString, anyString, fc.constant(null), fc.boolean(), fc.integer({ min: -100, max: -1 }), fc.double(), fc.uint8Array({ maxLength: 4 }));
  const key = fc.oneof(fc.constantFrom('type', 'channel', 'state', 'name', 'window', 'reason', 'credit', 'version'), asciiString);
  const maps = fc.dictionary(key, anyValue, { maxKeys: 8 }).map((d) => encode(d));
  const encoded = message.filter((m) => wellFormed((m as { name?: string }).name) && wellFormed((m as { reason?: string }).reason))
    .map((m) => encode(referenceMap(m))).filter((b) => b.length <= MAX_FRAME_BODY);
  const bodies = fc.oneof(maps, encoded, encoded.chain((b) => fc.integer({ min: 0, max: b.length }).map((n) => b.subarray(0, n))),
    encoded.map((b) => Uint8Array.from([...b, 0])), fc.uint8Array({ maxLength: 64 }));
  fc.assert(fc.property(bodies, (b) => {
    const direct = readPlainMap(b);
    if (direct === undefined) return true; // handed to the general decoder
    t.deepEqual({ ...direct }, viaGeneral(b));
    return true;
  }), { numRuns: 5000 });
  // The reader takes what this version writes.
  t.deepEqual(readPlainMap(encodeControl({ type: 'channel', channel: 3, state: 0, name: 'file://a', window: 262144 })),
    { type: 1, channel: 3, state: 0, name: 'file://a', window: 262144 });
  // It gives up (and the general decoder reads it) on another key, a repeated key, a non-ASCII string, a negative number.
  t.is(readPlainMap(encode({ type: 1, channel: 5, state: 42, extra: 'ignored' })), undefined);
  t.is(readPlainMap(Uint8Array.of(0x82, 0xa4, ...Buffer.from('type'), 0, 0xa4, ...Buffer.from('type'), 1)), undefined);
  t.is(readPlainMap(encode({ type: 3, reason: 'é' })), undefined);
  t.is(readPlainMap(encode({ type: -1 })), undefined);
  t.like(decodeControl(encode({ type: 3, reason: 'é' })), { type: 'goaway', reason: 'é' });
});
