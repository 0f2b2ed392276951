/**
 * dhtnet's connection-manager scenarios on two net_crypto sessions over the simulated
 * network, with loss, jitter and duplication, in simulated time: accept, refuse, many
 * channels, simultaneous open, close from either side and half-close, reset, the peer
 * going away mid-transfer, big transfers compared by sha256, and a paused reader beside a
 * busy channel.
 */
import test from 'ava';
import { isMuxError, type ChannelSocket } from '../../src/mux/index.ts';
import { runUntil, settle, Sink, writeAll, patternDigest } from './helpers.ts';
import { muxSim, type MuxSim } from './sim-mux.ts';

const LOSSY = { lossRate: 0.05, latencyMs: 10, jitterMs: 5, duplicateRate: 0.01 };

function acceptAll(sim: MuxSim): ChannelSocket[] {
  const got: ChannelSocket[] = [];
  for (const p of [sim.alice, sim.bob]) {
    p.manager.onChannelRequest(() => true);
    p.manager.on('channel', (s) => got.push(s));
  }
  return got;
}

test('accept and refuse, the friend connection brought up by the first open', async (t) => {
  const sim = await muxSim({ seed: 1, link: LOSSY });
  sim.bob.manager.onChannelRequest(({ uri }) => uri.startsWith('file://'));
  const incoming: ChannelSocket[] = [];
  sim.bob.manager.on('channel', (s) => incoming.push(s));
  const a = await settle(sim.clock, sim.alice.manager.connectDevice(sim.bob.key, 'file://a'));
  t.is(a.uri, 'file://a');
  await runUntil(sim.clock, () => incoming.length === 1, 1000);
  const e = await t.throwsAsync(settle(sim.clock, sim.alice.manager.connectDevice(sim.bob.key, 'git://nope')));
  t.true(isMuxError(e, 'declined'));
  const sink = new Sink(incoming[0]!, true);
  a.end('hello over net_crypto');
  await runUntil(sim.clock, () => sink.ended, 5000);
  t.is(sink.text(), 'hello over net_crypto');
});

test('two files on two channels right after connecting (the seed\'s job), sha256 equal, fair finish, at 5 % loss', async (t) => {
  const sim = await muxSim({ seed: 2, link: LOSSY });
  const incoming = acceptAll(sim);
  const size = 3_000_000;
  const [f1, f2] = await settle(sim.clock, Promise.all([
    sim.alice.manager.connectDevice(sim.bob.key, 'file://file1'),
    sim.alice.manager.connectDevice(sim.bob.key, 'file://file2'),
  ]));
  await runUntil(sim.clock, () => incoming.length === 2, 1000);
  const sinks = new Map(incoming.map((s) => [s.uri, new Sink(s)]));
  const s1 = sinks.get('file://file1')!;
  const s2 = sinks.get('file://file2')!;
  writeAll(f1!, 11, size);
  writeAll(f2!, 12, size);
  const start = sim.clock.now();
  await runUntil(sim.clock, () => s1.ended || s2.ended, 120_000);
  const lag = Math.min(s1.bytes, s2.bytes);
  t.true(lag >= 0.9 * size, `the other file had ${lag} of ${size} bytes when the first was done`);
  t.true(await runUntil(sim.clock, () => s1.ended && s2.ended, 120_000));
  t.is(s1.digest(), patternDigest(11, size));
  t.is(s2.digest(), patternDigest(12, size));
  t.log(`two ${size / 1e6} MB files in ${(sim.clock.now() - start) / 1000} s simulated`);
});

test('a paused reader on one channel does not stall the other, at 5 % loss', async (t) => {
  const sim = await muxSim({ seed: 3, link: LOSSY });
  const incoming = acceptAll(sim);
  const [slow, fast] = await settle(sim.clock, Promise.all([
    sim.alice.manager.connectDevice(sim.bob.key, 'slow'),
    sim.alice.manager.connectDevice(sim.bob.key, 'fast'),
  ]));
  await runUntil(sim.clock, () => incoming.length === 2, 1000);
  const bySlow = incoming.find((s) => s.uri === 'slow')!;
  const sinkFast = new Sink(incoming.find((s) => s.uri === 'fast')!);
  writeAll(slow!, 21, 3_000_000);
  writeAll(fast!, 22, 3_000_000);
  t.true(await runUntil(sim.clock, () => sinkFast.ended, 120_000));
  t.is(sinkFast.digest(), patternDigest(22, 3_000_000));
  const { windowBytes, readableHighWaterMark } = sim.bob.manager.config;
  t.true(bySlow.bytesReceived <= windowBytes + 2 * readableHighWaterMark, `${bySlow.bytesReceived} bytes held by a paused reader`);
  const sinkSlow = new Sink(bySlow);
  t.true(await runUntil(sim.clock, () => sinkSlow.ended, 120_000));
  t.is(sinkSlow.digest(), patternDigest(21, 3_000_000));
});

test('simultaneous open before any connection exists: both sides\' channels open', async (t) => {
  const sim = await muxSim({ seed: 4, link: LOSSY });
  acceptAll(sim);
  const both = await settle(sim.clock, Promise.all([
    ...Array.from({ length: 5 }, (_, i) => sim.alice.manager.connectDevice(sim.bob.key, `from-alice-${i}`)),
    ...Array.from({ length: 5 }, (_, i) => sim.bob.manager.connectDevice(sim.alice.key, `from-bob-${i}`)),
  ]));
  t.is(new Set(both.map((s) => s.channelId)).size, 10);
  t.is(sim.alice.manager.channelList(sim.bob.key).length, 10);
  t.is(sim.bob.manager.channelList(sim.alice.key).length, 10);
});

test('many channels over one friend connection, each echoed, then closed from the acceptor\'s side', async (t) => {
  const sim = await muxSim({ seed: 5, link: LOSSY, mux: { maxPendingOpens: 200 } });
  sim.bob.manager.onChannelRequest(() => true);
  sim.bob.manager.on('channel', (s) => {
    const sink = new Sink(s, true);
    s.on('end', () => s.end(`re: ${sink.text()}`));
  });
  const n = 150;
  const sockets = await settle(sim.clock, Promise.all(Array.from({ length: n }, (_, i) => sim.alice.manager.connectDevice(sim.bob.key, `echo://${i}`))));
  const sinks = sockets.map((s) => new Sink(s, true));
  sockets.forEach((s, i) => s.end(`message ${i}`));
  t.true(await runUntil(sim.clock, () => sinks.every((s) => s.closed), 30_000));
  t.true(sinks.every((s, i) => s.text() === `re: message ${i}`));
  t.is(sim.alice.manager.channelList(sim.bob.key).length, 0);
  t.is(sim.bob.manager.channelList(sim.alice.key).length, 0);
});

test('half-close both ways and reset, over the lossy link', async (t) => {
  const sim = await muxSim({ seed: 6, link: LOSSY });
  const incoming = acceptAll(sim);
  const a = await settle(sim.clock, sim.alice.manager.connectDevice(sim.bob.key, 'half'));
  await runUntil(sim.clock, () => incoming.length === 1, 1000);
  const b = incoming[0]!;
  const atA = new Sink(a, true);
  const atB = new Sink(b, true);
  a.end('question');
  await runUntil(sim.clock, () => atB.ended, 5000);
  b.end('answer after the question ended');
  t.true(await runUntil(sim.clock, () => atA.closed && atB.closed, 5000));
  t.is(atA.text(), 'answer after the question ended');
  t.is(a.closeReason?.code, 'end');

  const r = await settle(sim.clock, sim.bob.manager.connectDevice(sim.alice.key, 'to-reset'));
  await runUntil(sim.clock, () => incoming.length === 2, 1000);
  const peer = new Sink(incoming[1]!);
  new Sink(r);
  writeAll(r, 9, 1_000_000, false);
  await runUntil(sim.clock, () => peer.bytes > 50_000, 5000);
  r.destroy(new Error('user cancelled'));
  t.true(await runUntil(sim.clock, () => peer.closed, 5000));
  t.true(isMuxError(peer.error, 'reset'));
  t.is((peer.error as { remoteReason?: string }).remoteReason, 'user cancelled');
});

test('the friend goes away during a transfer: channels on both sides error, nothing hangs', async (t) => {
  const sim = await muxSim({ seed: 7, link: { latencyMs: 10 } });
  const incoming = acceptAll(sim);
  const socks = await settle(sim.clock, Promise.all([1, 2, 3].map((i) => sim.alice.manager.connectDevice(sim.bob.key, `t${i}`))));
  await runUntil(sim.clock, () => incoming.length === 3, 1000);
  const here = socks.map((s) => new Sink(s));
  const there = incoming.map((s) => new Sink(s));
  socks.forEach((s, i) => writeAll(s, 30 + i, 5_000_000));
  await runUntil(sim.clock, () => there.every((s) => s.bytes > 200_000), 10_000);
  // Bob's side of the net_crypto session dies (a kill packet goes to Alice).
  sim.bob.peer.node.connection(sim.alice.key)!.close();
  t.true(await runUntil(sim.clock, () => [...here, ...there].every((s) => s.closed), 5000));
  for (const s of [...here, ...there]) t.true(isMuxError(s.error, 'connection-closed'), String(s.error));
  t.false(sim.alice.manager.isConnected(sim.bob.key));
  // And the next open brings a new session up.
  const again = await settle(sim.clock, sim.alice.manager.connectDevice(sim.bob.key, 'after'));
  t.is(again.uri, 'after');
});
