/**
 * Credit-based flow control over an in-memory link, in simulated time: a reader that
 * stops holds at most its window while another channel streams on, writers see
 * backpressure, and channels with data share the link fairly.
 */
import test from 'ava';
import type { ChannelSocket } from '../../src/mux/index.ts';
import { memoryPair, runUntil, settle, Sink, writeAll, patternDigest, type MemoryPair } from './helpers.ts';

async function openMany(pair: MemoryPair, uris: string[], windowBytes?: number): Promise<Array<{ a: ChannelSocket; b: ChannelSocket }>> {
  const { clock, alice, bob } = pair;
  bob.manager.onChannelRequest(() => true);
  const incoming = new Map<string, ChannelSocket>();
  const off = bob.manager.on('channel', (s) => incoming.set(s.uri, s));
  const as = await settle(clock, Promise.all(uris.map((u) => alice.manager.connectDevice(bob.key, u, windowBytes === undefined ? {} : { windowBytes }))));
  await runUntil(clock, () => incoming.size === uris.length, 1000);
  off();
  return as.map((a) => ({ a, b: incoming.get(a.uri)! }));
}

test('a paused reader holds at most its window, and does not stall the other channel', async (t) => {
  const pair = memoryPair({ highWater: 32 });
  const { config } = pair.bob.manager;
  const [x, y] = await openMany(pair, ['slow', 'fast']);
  const wx = writeAll(x!.a, 1, 4_000_000);
  const wy = writeAll(y!.a, 2, 4_000_000);
  const sy = new Sink(y!.b);
  // Nobody reads x at Bob's: it is paused.
  t.true(await runUntil(pair.clock, () => sy.ended, 60_000), 'the fast channel finished while the slow one was paused');
  t.is(sy.digest(), patternDigest(2, 4_000_000));
  const bound = config.windowBytes + 2 * config.readableHighWaterMark;
  t.true(x!.b.bytesReceived <= bound, `paused channel holds ${x!.b.bytesReceived} bytes, bound ${bound}`);
  t.true(x!.a.bytesSent <= bound);
  t.true(x!.a.writableNeedDrain, 'the writer of the paused channel sees backpressure');
  t.true(wx.sent < 4_000_000);
  // Reading again lets it finish, whole.
  const sx = new Sink(x!.b);
  t.true(await runUntil(pair.clock, () => sx.ended, 60_000));
  t.is(sx.digest(), patternDigest(1, 4_000_000));
  await settle(pair.clock, Promise.all([wx.done, wy.done]));
});

test('a small window, asked for at open, bounds what the friend may send', async (t) => {
  const pair = memoryPair();
  const [c] = await openMany(pair, ['tiny'], 4096);
  // Alice asked for a 4 KiB receive window: Bob may have only that much in flight to her.
  writeAll(c!.b, 3, 100_000);
  await runUntil(pair.clock, () => false, 500);
  t.true(c!.a.bytesReceived <= 4096 + 2 * pair.alice.manager.config.readableHighWaterMark);
  const sink = new Sink(c!.a);
  t.true(await runUntil(pair.clock, () => sink.ended, 60_000));
  t.is(sink.digest(), patternDigest(3, 100_000));
});

test('fair share: two channels streaming at once finish within 10 % of each other', async (t) => {
  const pair = memoryPair({ highWater: 8 });
  const [p, q] = await openMany(pair, ['p', 'q']);
  const sp = new Sink(p!.b);
  const sq = new Sink(q!.b);
  writeAll(p!.a, 5, 2_000_000);
  writeAll(q!.a, 6, 2_000_000);
  await runUntil(pair.clock, () => sp.ended || sq.ended, 60_000);
  const lead = Math.max(sp.bytes, sq.bytes);
  const lag = Math.min(sp.bytes, sq.bytes);
  t.true(lag >= 0.9 * lead, `when one was done the other had ${lag} of ${lead} bytes`);
  await runUntil(pair.clock, () => sp.ended && sq.ended, 60_000);
  t.is(sp.digest(), patternDigest(5, 2_000_000));
  t.is(sq.digest(), patternDigest(6, 2_000_000));
});

test('a hundred channels share the link in turn: small writes are packed several to a packet', async (t) => {
  const pair = memoryPair({ highWater: 4, config: { maxPendingOpens: 100 } });
  const uris = Array.from({ length: 100 }, (_, i) => `c${i}`);
  const chans = await openMany(pair, uris);
  const sinks = chans.map((c) => new Sink(c.b, true));
  pair.alice.carrier.record = true;
  // 100 writes of 300 bytes on each channel, all at once.
  chans.forEach((c, i) => {
    for (let k = 0; k < 100; k++) c.a.write(Buffer.alloc(300, (i + k) & 0xff));
    c.a.end();
  });
  t.true(await runUntil(pair.clock, () => sinks.every((s) => s.ended), 60_000));
  t.true(sinks.every((s, i) => {
    const all = Buffer.concat(s.chunks);
    return all.length === 30_000 && Array.from({ length: 100 }, (_, k) => all[k * 300] === ((i + k) & 0xff)).every(Boolean);
  }));
  const sizes = pair.alice.carrier.sent.map((p) => p.length);
  const full = sizes.filter((n) => n >= 1373 - 40).length;
  t.true(full / sizes.length > 0.9, `${full} of ${sizes.length} packets nearly full`);
});

test('the window grows while it holds a keen reader back, up to autoWindowBytes; a reader that then stops holds at most it', async (t) => {
  const pair = memoryPair({ latencyMs: 20, highWater: 512, config: { autoWindowBytes: 1024 * 1024 } });
  const [c] = await openMany(pair, ['grow']);
  const first = c!.b.receiveWindow;
  t.is(first, 256 * 1024);
  const sink = new Sink(c!.b);
  writeAll(c!.a, 8, 20_000_000);
  await runUntil(pair.clock, () => sink.bytes > 6_000_000, 60_000);
  const grown = c!.b.receiveWindow;
  t.true(grown > first, `window ${grown}`);
  t.true(grown <= 1024 * 1024);
  c!.b.pause();
  const taken = sink.bytes;
  await runUntil(pair.clock, () => false, 2000);
  const held = c!.b.bytesReceived - taken;
  t.true(held <= grown + 2 * pair.bob.manager.config.readableHighWaterMark, `held ${held} with a window of ${grown}`);
  t.true(held > 0);
  c!.b.resume();
  t.true(await runUntil(pair.clock, () => sink.ended, 60_000));
  t.is(sink.digest(), patternDigest(8, 20_000_000));
});

test('with autoWindowBytes at or below windowBytes, windows keep their size', async (t) => {
  const pair = memoryPair({ latencyMs: 20, highWater: 512, config: { autoWindowBytes: 0 } });
  const [c] = await openMany(pair, ['fixed']);
  const sink = new Sink(c!.b);
  writeAll(c!.a, 9, 3_000_000);
  t.true(await runUntil(pair.clock, () => sink.ended, 60_000));
  t.is(c!.b.receiveWindow, 256 * 1024);
});
