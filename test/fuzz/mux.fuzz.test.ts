/**
 * Fuzzing the channel layer: the packet parser and the control-message decoder through the
 * shared harness, then a manager fed random and half-valid packets by a scripted friend:
 * nothing throws, every drop is counted, every table stays within its bound.
 */
import test from 'ava';
import fc from 'fast-check';
import { encode } from '@msgpack/msgpack';
import { SimClock } from '../../src/io/index.ts';
import { DecodeError } from '../../src/wire/index.ts';
import {
  ChannelState, ConnectionManager, MUX_PACKET_ID, decodeControl, decodeMuxPacket, encodeControl, encodeMuxPacket,
  type ChannelSocket, type Frame,
} from '../../src/mux/index.ts';
import { MemoryCarrier, runUntil } from '../mux/helpers.ts';
import { fuzzParser } from './harness.ts';

const samplePackets = [
  encodeMuxPacket([{ channel: 0, body: encodeControl({ type: 'version', version: 1 }) }]),
  encodeMuxPacket([{ channel: 3, body: Uint8Array.of(1, 2, 3) }, { channel: 3, body: new Uint8Array(0) }]),
  encodeMuxPacket([{ channel: 0x1234, body: new Uint8Array(1368).fill(9) }]),
];

test('decodeMuxPacket fails only with DecodeError and returns no more bytes than it was given', (t) => {
  fuzzParser(t, {
    parse: decodeMuxPacket,
    errors: [DecodeError],
    samples: samplePackets,
    outputSize: (frames) => frames.reduce((n, f) => n + 4 + f.body.length, 1),
  });
});

test('decodeMuxPacket on packets that carry the mux id: still only DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => {
      const p = bytes.slice();
      if (p.length > 0) p[0] = MUX_PACKET_ID;
      return decodeMuxPacket(p);
    },
    errors: [DecodeError],
    samples: samplePackets,
    outputSize: (frames) => frames.reduce((n, f) => n + 4 + f.body.length, 1),
    maxLength: 1400,
  });
});

const sampleControls = [
  encodeControl({ type: 'version', version: 1 }),
  encodeControl({ type: 'channel', channel: 5, state: ChannelState.REQUEST, name: 'file://a', window: 262144 }),
  encodeControl({ type: 'channel', channel: 6, state: ChannelState.ACCEPT, window: 65536 }),
  encodeControl({ type: 'channel', channel: 7, state: ChannelState.RESET, reason: 'because' }),
  encodeControl({ type: 'credit', channel: 8, credit: 12345 }),
  encodeControl({ type: 'goaway', reason: 'bye' }),
  encode({ type: 1, channel: 1, state: 2, nested: [[[{ a: 1 }]]], bin: new Uint8Array(20), f: 1.5, n: null }),
];

test('decodeControl fails only with DecodeError, whatever the bytes', (t) => {
  fuzzParser(t, {
    parse: decodeControl,
    errors: [DecodeError],
    samples: sampleControls,
    maxLength: 1400,
  });
});

test('decodeControl on random msgpack values: a message or DecodeError, never another error', (t) => {
  const value = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(null), fc.uint8Array({ maxLength: 16 }),
      fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), tie('v'), { maxKeys: 4 }),
    ),
  })).v;
  const message = fc.record({
    type: fc.oneof(fc.integer({ min: -2, max: 5 }), value),
    channel: fc.oneof(fc.integer({ min: -1, max: 70000 }), value),
    state: fc.oneof(fc.integer({ min: 0, max: 6 }), value),
    name: fc.oneof(fc.string(), value),
    window: fc.oneof(fc.nat(), value),
    credit: fc.oneof(fc.nat(), value),
    reason: fc.oneof(fc.string(), value),
    version: fc.oneof(fc.integer({ min: 0, max: 300 }), value),
  }, { requiredKeys: [] });
  fc.assert(fc.property(message, (m) => {
    let bytes: Uint8Array;
    try {
      bytes = encode(m);
    } catch {
      return true;
    }
    try {
      decodeControl(bytes);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
    return true;
  }), { numRuns: 3000 });
  t.pass();
});

/** A frame from a friend that knows roughly what the protocol looks like. */
const frameArb: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({ channel: fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 6, 0xffff), fc.integer({ min: 0, max: 0xffff })), body: fc.uint8Array({ maxLength: 64 }) }),
  fc.record({
    channel: fc.constant(0),
    body: fc.oneof(
      fc.record({
        channel: fc.integer({ min: 1, max: 12 }), state: fc.integer({ min: 0, max: 5 }), name: fc.constantFrom('a', 'b', 'x'.repeat(40)),
        window: fc.integer({ min: 0, max: 70000 }), reason: fc.string({ maxLength: 8 }),
      }).map((m) => encodeControl({ type: 'channel', ...m })),
      fc.record({ channel: fc.integer({ min: 1, max: 12 }), credit: fc.integer({ min: 1, max: 2 ** 32 - 1 }) })
        .map((m) => encodeControl({ type: 'credit', ...m })),
      fc.constant(encodeControl({ type: 'version', version: 1 })),
      fc.uint8Array({ maxLength: 40 }),
    ),
  }),
  fc.record({ channel: fc.integer({ min: 1, max: 12 }), body: fc.uint8Array({ minLength: 0, maxLength: 1368 }) }),
);

const packetArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 4, arbitrary: fc.array(frameArb, { minLength: 1, maxLength: 4 }).map((frames) => {
    const fit: Frame[] = [];
    let size = 1;
    for (const f of frames) {
      if (size + 4 + f.body.length > 1373) break;
      fit.push(f);
      size += 4 + f.body.length;
    }
    return encodeMuxPacket(fit.length > 0 ? fit : [{ channel: 1, body: new Uint8Array(0) }]);
  }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 1373 }).map((b) => { b[0] = MUX_PACKET_ID; return b; }) },
);

test('a manager fed random packets never throws and keeps every table bounded', async (t) => {
  const limits = { maxChannels: 6, maxPendingAccepts: 3, maxControlBacklog: 32, windowBytes: 4096, maxEarlyPackets: 4 };
  await fc.assert(fc.asyncProperty(fc.array(packetArb, { minLength: 1, maxLength: 40 }), fc.boolean(), async (packets, asyncHandler) => {
    const clock = new SimClock();
    const aliceKey = new Uint8Array(32).fill(1);
    const mallory = new Uint8Array(32).fill(2);
    const a = new MemoryCarrier(mallory, clock, 1, 8);
    const m = new MemoryCarrier(aliceKey, clock, 1, 8);
    a.peer = m;
    m.peer = a;
    const manager = new ConnectionManager({
      selfKey: aliceKey, clock, config: limits,
      connector: { connect: async () => a, onCarrier: (l) => { l(a); return () => {}; } },
    });
    const thrown: Error[] = [];
    manager.on('error', (e) => thrown.push(e));
    manager.onChannelRequest(({ uri }) => (asyncHandler ? Promise.resolve(uri !== 'b') : uri !== 'b'));
    manager.onConnectionRequest(() => (asyncHandler ? Promise.resolve(true) : true));
    const sockets: ChannelSocket[] = [];
    manager.on('channel', (s) => {
      sockets.push(s);
      s.on('error', () => {});
      if (sockets.length % 2 === 0) s.resume();
      s.write(Buffer.alloc(3000, 1));
    });
    // Alice opens too, so answers and credit meet channels of hers.
    for (let i = 0; i < 3; i++) manager.connectDevice(mallory, `mine${i}`, { timeoutMs: 500 }).then((s) => s.on('error', () => {}), () => {});
    for (const p of packets) {
      m.send(p);
      await clock.advanceAsync(1);
      t.true(manager.channelList(mallory).length <= limits.maxChannels);
    }
    await runUntil(clock, () => false, 1000, 50);
    t.deepEqual(thrown, []);
    for (const s of sockets) t.true(s.bytesReceived <= 4096 + 2 * manager.config.readableHighWaterMark);
    manager.close();
  }), { numRuns: 150 });
});
