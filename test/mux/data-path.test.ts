/**
 * The data path's copies and turns, held to what bench/mux.ts found in its third round:
 * a frame copied from its packet without a view keeps every byte before it (handed to the
 * reader or not), a busy channel's receive blocks grow to a quarter of its window (at most
 * 64 KiB), and a channel with much to send keeps the connection for a turn of up to eight
 * frames, so that a reader among a hundred busy channels gets its bytes in runs.
 */
import test from 'ava';
import fc from 'fast-check';
import { MuxChannel, ReceiveQueue } from '../../src/mux/channel.ts';
import { CONTROL_CHANNEL, MAX_FRAME_BODY, PacketBuilder, decodeMuxPacket } from '../../src/mux/index.ts';
import { memoryPair, runUntil, settle, Sink, type MemoryPair } from './helpers.ts';
import type { ChannelSocket } from '../../src/mux/index.ts';

/** A packet of the given frame bodies (channel 1 for each). */
function packetOf(bodies: readonly Uint8Array[]): Uint8Array {
  const b = new PacketBuilder();
  for (const body of bodies) b.add(1, body);
  return b.finish().slice();
}

test('a frame copied as its whole packet keeps the bytes before it, those handed to the reader included', (t) => {
  const q = new ReceiveQueue();
  q.append(Uint8Array.of(1, 2, 3, 4, 5, 6, 7));
  const held = q.take()!;
  t.deepEqual([...held], [1, 2, 3, 4, 5, 6, 7]);
  // The first frame of a packet sits 5 bytes in (id byte, frame header): the packet is
  // copied from its start over the 5 bytes before the frame's place, then those are put back.
  const first = new Uint8Array(1000).fill(0xee);
  const second = new Uint8Array(300).fill(0xdd);
  const packet = packetOf([first, second]);
  q.append(packet, 5, first.length);
  t.deepEqual([...held], [1, 2, 3, 4, 5, 6, 7], 'the reader\'s bytes are as they were');
  // The second frame is further in: it is copied by a view.
  q.append(packet, 5 + first.length + 4, second.length);
  const rest = q.take()!;
  t.is(rest.length, 1300);
  t.true(rest.subarray(0, 1000).every((x) => x === 0xee));
  t.true(rest.subarray(1000).every((x) => x === 0xdd));
  t.is(q.take(), undefined);
  t.deepEqual([...held], [1, 2, 3, 4, 5, 6, 7]);
});

test('random frames appended from random packets and taken at random come out whole, and a chunk once taken never changes', (t) => {
  const frame = fc.record({
    before: fc.integer({ min: 0, max: 12 }),
    length: fc.integer({ min: 1, max: MAX_FRAME_BODY }),
    after: fc.integer({ min: 0, max: 3000 }),
    take: fc.boolean(),
    seed: fc.integer({ min: 0, max: 255 }),
  });
  fc.assert(fc.property(fc.array(frame, { minLength: 1, maxLength: 60 }), fc.constantFrom(16 * 1024, 32 * 1024, 64 * 1024), (frames, maxBlock) => {
    const q = new ReceiveQueue();
    q.maxBlock = maxBlock;
    const expected: number[] = [];
    const taken: Array<{ chunk: Buffer; copy: Buffer }> = [];
    const takeAll = (): void => {
      for (let c = q.take(); c !== undefined; c = q.take()) taken.push({ chunk: c, copy: Buffer.from(c) });
    };
    for (const f of frames) {
      const source = new Uint8Array(f.before + f.length + f.after).fill(0x5a);
      for (let i = 0; i < f.length; i++) source[f.before + i] = (f.seed + i) & 0xff;
      q.append(source, f.before, f.length);
      for (let i = 0; i < f.length; i++) expected.push((f.seed + i) & 0xff);
      if (f.take) takeAll();
      for (const { chunk, copy } of taken) if (!chunk.equals(copy)) return false;
    }
    takeAll();
    return taken.every(({ chunk, copy }) => chunk.equals(copy)) && Buffer.concat(taken.map((x) => x.copy)).equals(Buffer.from(expected));
  }), { numRuns: 300 });
  t.pass();
});

test('a busy channel\'s blocks grow to a quarter of its window, at most 64 KiB; a small window keeps 16 KiB blocks', (t) => {
  const blocksOf = (window: number): number[] => {
    const ch = new MuxChannel(2, 'x', true, window, 'open');
    const sizes = new Set<number>();
    const packet = packetOf([new Uint8Array(MAX_FRAME_BODY).fill(1)]);
    for (let i = 0; i < 400; i++) {
      ch.queue.append(packet, 5, MAX_FRAME_BODY);
      // The reader takes everything every twelve frames, as a pump after a batch would.
      if (i % 12 === 11) for (let c = ch.queue.take(); c !== undefined; c = ch.queue.take()) sizes.add(c.buffer.byteLength);
    }
    return [...sizes].sort((a, b) => a - b);
  };
  t.deepEqual(blocksOf(256 * 1024), [16 * 1024, 32 * 1024, 64 * 1024]);
  t.deepEqual(blocksOf(4096), [16 * 1024]);
  t.deepEqual(blocksOf(128 * 1024), [16 * 1024, 32 * 1024]);
  // A window that grows lets the blocks grow with it.
  const ch = new MuxChannel(2, 'x', true, 64 * 1024, 'open');
  t.is(ch.queue.maxBlock, 16 * 1024);
  ch.granted(1024 * 1024, 1024);
  t.is(ch.queue.maxBlock, 64 * 1024);
});

async function openPair(pair: MemoryPair, uris: string[]): Promise<Array<{ a: ChannelSocket; b: ChannelSocket }>> {
  pair.bob.manager.onChannelRequest(() => true);
  const as = await settle(pair.clock, Promise.all(uris.map((u) => pair.alice.manager.connectDevice(pair.bob.key, u))));
  await runUntil(pair.clock, () => pair.bob.incoming.length === uris.length, 1000);
  return as.map((a) => ({ a, b: pair.bob.incoming.find((s) => s.channelId === a.channelId)! }));
}

/** The data frames Alice sent, as runs: [channel, frames in a row]. */
function runsOf(packets: readonly Uint8Array[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const p of packets) {
    for (const f of decodeMuxPacket(p)) {
      if (f.channel === CONTROL_CHANNEL || f.body.length === 0) continue;
      const last = runs[runs.length - 1];
      if (last !== undefined && last[0] === f.channel) last[1]++;
      else runs.push([f.channel, 1]);
    }
  }
  return runs;
}

test('channels with much to send take turns of up to eight full frames, and all of them get turns', async (t) => {
  const pair = memoryPair({ highWater: 1024 });
  const chans = await openPair(pair, ['p', 'q', 'r']);
  pair.alice.carrier.record = true;
  const sinks = chans.map((c) => new Sink(c.b));
  const body = new Uint8Array(200_000).fill(9);
  for (const c of chans) c.a.write(body);
  t.true(await runUntil(pair.clock, () => sinks.every((s) => s.bytes === body.length), 10_000));
  const runs = runsOf(pair.alice.carrier.sent);
  // A frame at a time made runs of one; a turn is eight full frames now.
  t.true(runs.every(([, n]) => n <= 8), `runs ${JSON.stringify(runs.slice(0, 12))}`);
  t.true(runs.filter(([, n]) => n === 8).length >= 20, `${runs.length} runs`);
  // Every channel had many turns, in a rotation.
  for (const c of chans) t.true(runs.filter(([id]) => id === c.a.channelId).length >= 10);
  const first = runs.slice(0, 3).map(([id]) => id).sort((a, b) => a - b);
  t.deepEqual(first, chans.map((c) => c.a.channelId).sort((a, b) => a - b));
});

test('a channel reset in the middle of its turn sends nothing more, and the others go on', async (t) => {
  // The link takes a few packets at a time, so a turn is cut by the carrier's backpressure.
  const pair = memoryPair({ highWater: 4 });
  const [p, q] = await openPair(pair, ['p', 'q']);
  const sq = new Sink(q!.b);
  new Sink(p!.b);
  const body = new Uint8Array(100_000).fill(3);
  p!.a.write(body);
  q!.a.write(body);
  pair.alice.carrier.record = true;
  await pair.clock.advanceAsync(0);
  // p has the first turn; the carrier is full after a few packets, so its turn is under way.
  p!.a.destroy();
  t.true(await runUntil(pair.clock, () => sq.bytes === body.length, 10_000));
  const frames = pair.alice.carrier.sent.flatMap((x) => decodeMuxPacket(x));
  const reset = frames.findIndex((f) => f.channel === CONTROL_CHANNEL && f.body.length > 0);
  t.true(reset >= 0, 'a RESET went out');
  t.false(frames.slice(reset).some((f) => f.channel === p!.a.channelId), 'no frame of the reset channel after its RESET');
});

test('small writes that wait together are joined: 2,000 writes of 100 bytes fill packets, in order', async (t) => {
  const pair = memoryPair({ highWater: 1024 });
  const [c] = await openPair(pair, ['small']);
  const sink = new Sink(c!.b, true);
  pair.alice.carrier.record = true;
  const sizes = [100, 100, 20_000, 100, 70_000, ...Array.from({ length: 2000 }, () => 100)];
  const expected: Buffer[] = sizes.map((n, i) => Buffer.alloc(n, i & 0xff));
  let called = 0;
  for (const b of expected) c!.a.write(b, () => { called++; });
  const total = expected.reduce((a, b) => a + b.length, 0);
  t.true(await runUntil(pair.clock, () => sink.bytes === total, 10_000));
  t.true(Buffer.concat(sink.chunks).equals(Buffer.concat(expected)), 'every byte, in order');
  t.is(called, expected.length, 'every write was called back');
  // A packet per write made 2,005 packets; full packets need about 218.
  const packets = pair.alice.carrier.sent.length;
  t.true(packets < 260, `${packets} packets for ${total} bytes`);
});
