/**
 * How channels end, over an in-memory link in simulated time: EOF from either side and
 * half-close both ways, RESET (destroy with and without an error), the friend connection
 * dropping mid-transfer, GOAWAY from closeConnectionsWith and close (dhtnet's shutdown
 * scenarios, with the half-close and reset it lacks).
 */
import test from 'ava';
import { isMuxError, type ChannelSocket, type ChannelCloseReason } from '../../src/mux/index.ts';
import { memoryPair, runUntil, settle, Sink, writeAll, patternDigest, type MemoryPair } from './helpers.ts';

async function open(pair: MemoryPair, uri = 'test://x'): Promise<{ a: ChannelSocket; b: ChannelSocket }> {
  const { clock, alice, bob } = pair;
  bob.manager.onChannelRequest(() => true);
  let b: ChannelSocket | undefined;
  const off = bob.manager.on('channel', (s) => { b = s; });
  const a = await settle(clock, alice.manager.connectDevice(bob.key, uri));
  await runUntil(clock, () => b !== undefined, 1000);
  off();
  return { a, b: b! };
}

function closeReason(s: ChannelSocket): Promise<ChannelCloseReason> {
  return new Promise((resolve) => s.once('close', (r: ChannelCloseReason) => resolve(r)));
}

test('half-close both ways: each side ends when it is done, the other way keeps flowing', async (t) => {
  const pair = memoryPair();
  const { a, b } = await open(pair);
  const atB = new Sink(b, true);
  const atA = new Sink(a, true);
  const reasons = [closeReason(a), closeReason(b)] as const;
  a.end('request');
  await runUntil(pair.clock, () => atB.ended, 1000);
  t.is(atB.text(), 'request');
  t.false(a.destroyed);
  // Bob answers after Alice's EOF: a long answer, in pieces.
  for (let i = 0; i < 50; i++) b.write(`part ${i};`);
  await runUntil(pair.clock, () => atA.bytes > 0, 1000);
  t.false(atA.ended);
  b.end('done');
  await runUntil(pair.clock, () => atA.ended && atA.closed && atB.closed, 1000);
  t.is(atA.text(), Array.from({ length: 50 }, (_, i) => `part ${i};`).join('') + 'done');
  const [ra, rb] = await Promise.all(reasons);
  t.is(ra.code, 'end');
  t.is(rb.code, 'end');
  t.is(pair.alice.manager.channelList(pair.bob.key).length, 0);
  t.is(pair.bob.manager.channelList(pair.alice.key).length, 0);
});

test('close from either side: the acceptor ends first, then the opener', async (t) => {
  const pair = memoryPair();
  const { a, b } = await open(pair);
  const atA = new Sink(a, true);
  const atB = new Sink(b, true);
  b.end('from bob');
  await runUntil(pair.clock, () => atA.ended, 1000);
  a.write('still writing after the friend ended');
  a.end();
  await runUntil(pair.clock, () => atA.closed && atB.closed, 1000);
  t.is(atA.text(), 'from bob');
  t.is(atB.text(), 'still writing after the friend ended');
  t.is(a.closeReason?.code, 'end');
  t.is(b.closeReason?.code, 'end');
});

test('destroy(err) resets: the friend gets `reset` with the reason, this side `destroyed`', async (t) => {
  const pair = memoryPair();
  const { a, b } = await open(pair);
  const atB = new Sink(b);
  const atA = new Sink(a);
  const rb = closeReason(b);
  a.destroy(new Error('disk full'));
  await runUntil(pair.clock, () => atB.closed && atA.closed, 1000);
  t.true(isMuxError(atB.error, 'reset'));
  t.is((atB.error as { remoteReason?: string }).remoteReason, 'disk full');
  t.deepEqual(await rb, { code: 'reset', message: 'reset by the friend: disk full' });
  t.is(a.closeReason?.code, 'destroyed');
  t.is(atA.error?.message, 'disk full');
  t.false(atB.ended, 'a reset is not an EOF');
  t.is(pair.alice.manager.channelList(pair.bob.key).length, 0);
  t.is(pair.bob.manager.channelList(pair.alice.key).length, 0);
});

test('destroy() without an error mid-stream resets too; after both EOFs it sends nothing', async (t) => {
  const pair = memoryPair();
  const first = await open(pair, 'one');
  const atB = new Sink(first.b);
  new Sink(first.a);
  first.a.write('x');
  first.a.destroy();
  await runUntil(pair.clock, () => atB.closed, 1000);
  t.true(isMuxError(atB.error, 'reset'));
  t.is((atB.error as { remoteReason?: string }).remoteReason, 'destroyed');

  const second = await open(pair, 'two');
  const sa = new Sink(second.a);
  const sb = new Sink(second.b);
  second.a.end();
  second.b.end();
  await runUntil(pair.clock, () => sa.closed && sb.closed, 1000);
  const sentBefore = pair.alice.carrier.queued;
  second.a.destroy();
  t.is(pair.alice.carrier.queued, sentBefore);
  t.is(sa.error, undefined);
  t.is(sb.error, undefined);
});

test('an empty write sends nothing, and is not taken for EOF', async (t) => {
  const pair = memoryPair();
  const { a, b } = await open(pair);
  const atB = new Sink(b, true);
  a.write(Buffer.alloc(0));
  a.write('after');
  await runUntil(pair.clock, () => atB.bytes === 5, 1000);
  t.false(atB.ended);
  t.is(atB.text(), 'after');
});

test('the friend connection drops during a transfer: every channel errors, waits end, nothing hangs', async (t) => {
  const pair = memoryPair({ highWater: 16 });
  const { clock, alice, bob } = pair;
  const chans = [await open(pair, 'c1'), await open(pair, 'c2'), await open(pair, 'c3')];
  const sinks = chans.map((c) => ({ a: new Sink(c.a), b: new Sink(c.b) }));
  const writers = chans.map((c, i) => writeAll(c.a, i, 8 * 1024 * 1024));
  // A pending open too, held by a slow handler.
  bob.manager.onChannelRequest(() => new Promise<boolean>(() => {}));
  const pending = alice.manager.connectDevice(bob.key, 'pending');
  pending.catch(() => {});
  const closed: string[] = [];
  alice.manager.on('connection-closed', (c) => closed.push(c.error.code));
  await runUntil(clock, () => sinks.every((s) => s.b.bytes > 100_000), 10_000);
  alice.carrier.close('link lost');
  t.true(await runUntil(clock, () => sinks.every((s) => s.a.closed && s.b.closed), 1000));
  for (const s of sinks) {
    t.true(isMuxError(s.a.error, 'connection-closed'), String(s.a.error));
    t.true(isMuxError(s.b.error, 'connection-closed'), String(s.b.error));
    t.regex(s.a.error!.message, /link lost/);
  }
  t.true(chans.every((c) => c.a.closeReason?.code === 'connection-closed'));
  const e = await t.throwsAsync(settle(clock, pending));
  t.true(isMuxError(e, 'connection-closed'));
  for (const w of writers) await t.throwsAsync(settle(clock, w.done));
  t.deepEqual(closed, ['connection-closed']);
  t.false(alice.manager.isConnected(bob.key));
});

test('closeConnectionsWith: GOAWAY fails the friend\'s channels; a new session follows on the same link', async (t) => {
  const pair = memoryPair();
  const { clock, alice, bob } = pair;
  const { a, b } = await open(pair);
  const sa = new Sink(a);
  const sb = new Sink(b);
  alice.manager.closeConnectionsWith(bob.key, 'moving on');
  await runUntil(clock, () => sa.closed && sb.closed, 1000);
  t.true(isMuxError(sa.error, 'manager-closed'));
  t.true(isMuxError(sb.error, 'connection-closed'));
  t.regex(sb.error!.message, /moving on/);
  t.is(b.closeReason?.code, 'connection-closed');
  t.is(a.closeReason?.code, 'manager-closed');
  const again = await open(pair, 'again');
  const atB = new Sink(again.b, true);
  again.a.end('fresh');
  await runUntil(clock, () => atB.ended, 1000);
  t.is(atB.text(), 'fresh');
});

test('close(): pending opens and channels fail with manager-closed; the friend sees GOAWAY', async (t) => {
  const pair = memoryPair();
  const { clock, alice, bob } = pair;
  const { a, b } = await open(pair);
  const sa = new Sink(a);
  const sb = new Sink(b);
  bob.manager.onChannelRequest(() => new Promise<boolean>(() => {}));
  const pending = alice.manager.connectDevice(bob.key, 'never');
  pending.catch(() => {});
  await runUntil(clock, () => false, 20);
  alice.manager.close();
  t.true(alice.manager.closed);
  await runUntil(clock, () => sa.closed && sb.closed, 1000);
  t.true(isMuxError(await t.throwsAsync(settle(clock, pending)), 'manager-closed'));
  t.true(isMuxError(sa.error, 'manager-closed'));
  t.true(isMuxError(sb.error, 'connection-closed'));
  t.true(isMuxError(await t.throwsAsync(settle(clock, alice.manager.connectDevice(bob.key, 'x'))), 'manager-closed'));
  t.deepEqual(bob.manager.connections(), []);
});

test('a 2 MB transfer arrives whole, with a peer that reads as it comes', async (t) => {
  const pair = memoryPair({ highWater: 32 });
  const { a, b } = await open(pair);
  const sink = new Sink(b);
  const w = writeAll(a, 42, 2_000_000);
  t.true(await runUntil(pair.clock, () => sink.ended, 60_000));
  await settle(pair.clock, w.done);
  t.is(sink.bytes, 2_000_000);
  t.is(sink.digest(), patternDigest(42, 2_000_000));
  t.is(a.bytesSent, 2_000_000);
  t.is(b.bytesReceived, 2_000_000);
});
