/**
 * The mux packet codec: exact bytes, every way a packet can be malformed, and the fast
 * decoder checked against a slow DataView reference on random packets.
 */
import test from 'ava';
import fc from 'fast-check';
import { DecodeError, EncodeError } from '../../src/wire/index.ts';
import {
  MUX_PACKET_ID, MAX_MUX_PACKET_SIZE, MAX_FRAME_BODY, FRAME_HEADER_SIZE, PacketBuilder, decodeMuxPacket, encodeMuxPacket,
  type Frame,
} from '../../src/mux/index.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('the constants: id 0xa7, 1373-byte packets, 4-byte headers, 1368-byte bodies', (t) => {
  t.is(MUX_PACKET_ID, 0xa7);
  t.not(MUX_PACKET_ID, 162);
  t.true(MUX_PACKET_ID >= 160 && MUX_PACKET_ID <= 191);
  t.is(MAX_MUX_PACKET_SIZE, 1373);
  t.is(FRAME_HEADER_SIZE, 4);
  t.is(MAX_FRAME_BODY, 1368);
});

test('a packet of two frames, byte by byte', (t) => {
  const packet = encodeMuxPacket([
    { channel: 1, body: Uint8Array.of(0x61, 0x62) },
    { channel: 0x0102, body: new Uint8Array(0) },
  ]);
  t.is(hex(packet), 'a7' + '0002' + '0001' + '6162' + '0000' + '0102');
  const frames = decodeMuxPacket(packet);
  t.deepEqual(frames.map((f) => [f.channel, hex(f.body)]), [[1, '6162'], [0x102, '']]);
});

test('one full frame fills the packet; the builder reports its room', (t) => {
  const b = new PacketBuilder();
  t.true(b.empty);
  t.is(b.room, 1368);
  b.add(7, new Uint8Array(100).fill(1));
  t.is(b.room, 1368 - 104);
  t.throws(() => b.add(7, new Uint8Array(b.room + 1)), { instanceOf: EncodeError });
  b.add(9, new Uint8Array(b.room).fill(2));
  t.is(b.room, -4);
  const p = b.finish();
  t.is(p.length, 1373);
  t.deepEqual(decodeMuxPacket(p).map((f) => [f.channel, f.body.length]), [[7, 100], [9, 1264]]);
  t.throws(() => encodeMuxPacket([]), { instanceOf: EncodeError });
  t.throws(() => new PacketBuilder().add(0x10000, new Uint8Array(1)), { instanceOf: EncodeError });
});

test('malformed packets fail with DecodeError, each with its code', (t) => {
  const code = (bytes: number[] | Uint8Array) => {
    const e = t.throws(() => decodeMuxPacket(Uint8Array.from(bytes)), { instanceOf: DecodeError });
    return e?.code;
  };
  t.is(code([]), 'bad-value');
  t.is(code([0xa2, 0, 1, 0, 1, 9]), 'bad-value');
  t.is(code([0xa7]), 'truncated');
  t.is(code([0xa7, 0, 0, 0]), 'truncated');
  t.is(code([0xa7, 0, 2, 0, 1, 9]), 'truncated');
  t.is(code([0xa7, 0, 1, 0, 1, 9, 0, 0]), 'truncated');
  const big = new Uint8Array(1374);
  big[0] = 0xa7;
  t.is(code(big), 'trailing-bytes');
});

/** The slow, obviously-correct reference. */
function referenceDecode(packet: Uint8Array): Frame[] | 'error' {
  if (packet.length < 5 || packet.length > 1373 || packet[0] !== 0xa7) return 'error';
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const out: Frame[] = [];
  let at = 1;
  while (at !== packet.length) {
    if (at + 4 > packet.length) return 'error';
    const length = view.getUint16(at);
    const channel = view.getUint16(at + 2);
    if (at + 4 + length > packet.length) return 'error';
    out.push({ channel, body: packet.slice(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  return out;
}

test('the decoder agrees with a DataView reference on random and on valid packets', (t) => {
  const frame = fc.record({ channel: fc.integer({ min: 0, max: 0xffff }), body: fc.uint8Array({ maxLength: 300 }) });
  fc.assert(fc.property(fc.array(frame, { minLength: 1, maxLength: 6 }), (frames) => {
    const size = 1 + frames.reduce((n, f) => n + 4 + f.body.length, 0);
    fc.pre(size <= 1373);
    const packet = encodeMuxPacket(frames);
    const mine = decodeMuxPacket(packet).map((f) => [f.channel, hex(f.body)]);
    const ref = referenceDecode(packet);
    if (ref === 'error') return false;
    return JSON.stringify(mine) === JSON.stringify(ref.map((f) => [f.channel, hex(f.body)]));
  }), { numRuns: 500 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 1400 }), fc.boolean(), (bytes, tag) => {
    if (tag && bytes.length > 0) bytes[0] = 0xa7;
    const ref = referenceDecode(bytes);
    let mine: Frame[] | 'error';
    try {
      mine = decodeMuxPacket(bytes);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      mine = 'error';
    }
    if (ref === 'error' || mine === 'error') return ref === mine;
    return JSON.stringify(mine.map((f) => [f.channel, hex(f.body)])) === JSON.stringify(ref.map((f) => [f.channel, hex(f.body)]));
  }), { numRuns: 2000 });
  t.pass();
});
