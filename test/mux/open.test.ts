/**
 * Opening channels over an in-memory link, in simulated time: accept, decline, async
 * handlers, ids by parity, simultaneous opens, the one-round-trip second channel, many
 * channels and id reuse, limits, timeouts and aborts (dhtnet's accept/decline and
 * many-channels scenarios).
 */
import test from 'ava';
import { MuxError, isMuxError, type ChannelSocket } from '../../src/mux/index.ts';
import { memoryPair, runUntil, settle, Sink } from './helpers.ts';

const smaller = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;

test('accept: the socket on both sides, same name, an id of the opener\'s parity', async (t) => {
  const { clock, alice, bob } = memoryPair();
  const seen: Array<{ uri: string; id: number }> = [];
  bob.manager.onChannelRequest((r) => { seen.push({ uri: r.uri, id: r.channelId }); return true; });
  const incoming: ChannelSocket[] = [];
  bob.manager.on('channel', (s) => incoming.push(s));
  const ready: Uint8Array[] = [];
  alice.manager.on('connection-ready', (k) => ready.push(k));
  const a = await settle(clock, alice.manager.connectDevice(bob.key, 'file://one'));
  const b = incoming[0]!;
  t.is(b.uri, 'file://one');
  t.is(b.channelId, a.channelId);
  t.true(a.initiator);
  t.false(b.initiator);
  t.deepEqual(b.friendKey, alice.key);
  t.is(a.channelId % 2, smaller(alice.key, bob.key) ? 1 : 0);
  t.deepEqual(seen, [{ uri: 'file://one', id: a.channelId }]);
  t.is(ready.length, 1);
  t.true(alice.manager.isConnected(bob.key));
  t.is(alice.manager.channelList(bob.key)[0]?.phase, 'open');
});

test('decline, with the reason; no handler declines too; a throwing handler declines', async (t) => {
  const { clock, alice, bob } = memoryPair();
  const e1 = await t.throwsAsync(settle(clock, alice.manager.connectDevice(bob.key, 'file://x')), { instanceOf: MuxError });
  t.is(e1?.code, 'declined');
  bob.manager.onChannelRequest(({ uri }) => uri === 'ok://');
  const e2 = await t.throwsAsync(settle(clock, alice.manager.connectDevice(bob.key, 'nope://')));
  t.true(isMuxError(e2, 'declined'));
  t.is((e2 as MuxError).remoteReason, 'refused');
  await settle(clock, alice.manager.connectDevice(bob.key, 'ok://'));
  bob.manager.onChannelRequest(() => { throw new Error('handler bug'); });
  const e3 = await t.throwsAsync(settle(clock, alice.manager.connectDevice(bob.key, 'ok://')));
  t.true(isMuxError(e3, 'declined'));
  // Every table is back to the one open channel.
  t.is(alice.manager.channelList(bob.key).length, 1);
  t.is(bob.manager.channelList(alice.key).length, 1);
});

test('async handlers: yes, no, rejection, and one that never answers (declined after acceptTimeoutMs)', async (t) => {
  const { clock, alice, bob } = memoryPair({ config: { acceptTimeoutMs: 2000 } });
  bob.manager.onChannelRequest(async ({ uri }) => {
    await new Promise((r) => setImmediate(r));
    if (uri === 'throw') throw new Error('x');
    if (uri === 'hang') return new Promise<boolean>(() => {});
    return uri === 'yes';
  });
  await settle(clock, alice.manager.connectDevice(bob.key, 'yes'));
  t.true(isMuxError(await t.throwsAsync(settle(clock, alice.manager.connectDevice(bob.key, 'no'))), 'declined'));
  t.true(isMuxError(await t.throwsAsync(settle(clock, alice.manager.connectDevice(bob.key, 'throw'))), 'declined'));
  const start = clock.now();
  const e = await t.throwsAsync(settle(clock, alice.manager.connectDevice(bob.key, 'hang', { timeoutMs: 10_000 })));
  t.true(isMuxError(e, 'declined'));
  t.true(clock.now() - start >= 2000 && clock.now() - start < 2100);
});

test('the callback form gives the socket or the error', async (t) => {
  const { clock, alice, bob } = memoryPair();
  bob.manager.onChannelRequest(({ uri }) => uri === 'file://a');
  const got: Array<[Error | undefined, ChannelSocket | undefined]> = [];
  alice.manager.connectDevice(bob.key, 'file://a', (e, s) => got.push([e, s]));
  alice.manager.connectDevice(bob.key, 'file://b', { timeoutMs: 5000 }, (e, s) => got.push([e, s]));
  await runUntil(clock, () => got.length === 2, 1000);
  const ok = got.find(([, s]) => s !== undefined);
  const bad = got.find(([e]) => e !== undefined);
  t.is(ok?.[1]?.uri, 'file://a');
  t.true(isMuxError(bad?.[0], 'declined'));
});

test('the second channel to a connected friend costs one round trip', async (t) => {
  const { clock, alice, bob } = memoryPair({ latencyMs: 40 });
  bob.manager.onChannelRequest(() => true);
  await settle(clock, alice.manager.connectDevice(bob.key, 'first'), 10_000, 1);
  const start = clock.now();
  await settle(clock, alice.manager.connectDevice(bob.key, 'second'), 10_000, 1);
  const took = clock.now() - start;
  t.true(took >= 80 && took <= 82, `took ${took} ms for a 80 ms round trip`);
});

test('simultaneous open: both sides open at once, no id collides, all succeed', async (t) => {
  const { clock, alice, bob } = memoryPair();
  alice.manager.onChannelRequest(() => true);
  bob.manager.onChannelRequest(() => true);
  const fromAlice = Array.from({ length: 10 }, (_, i) => alice.manager.connectDevice(bob.key, `a${i}`));
  const fromBob = Array.from({ length: 10 }, (_, i) => bob.manager.connectDevice(alice.key, `b${i}`));
  const all = await settle(clock, Promise.all([...fromAlice, ...fromBob]));
  const aIds = all.slice(0, 10).map((s) => s.channelId);
  const bIds = all.slice(10).map((s) => s.channelId);
  t.is(new Set([...aIds, ...bIds]).size, 20);
  t.true(aIds.every((id) => id % 2 === aIds[0]! % 2));
  t.true(bIds.every((id) => id % 2 !== aIds[0]! % 2));
  t.is(alice.manager.channelList(bob.key).length, 20);
  t.is(bob.manager.channelList(alice.key).length, 20);
});

test('many channels at once, each carries its message; closed, then opened again (ids reused)', async (t) => {
  const { clock, alice, bob } = memoryPair({ config: { maxChannels: 2000, maxPendingOpens: 1000, maxPendingAccepts: 1000 } });
  bob.manager.onChannelRequest(() => true);
  bob.manager.on('channel', (s) => {
    const sink = new Sink(s, true);
    s.on('end', () => s.end(`echo ${sink.text()}`));
  });
  for (const round of [1, 2]) {
    const n = 600;
    const sockets = await settle(clock, Promise.all(Array.from({ length: n }, (_, i) => alice.manager.connectDevice(bob.key, `chan://${i}`))));
    const sinks = sockets.map((s) => new Sink(s, true));
    sockets.forEach((s, i) => s.end(`${round}:${i}`));
    t.true(await runUntil(clock, () => sinks.every((x) => x.closed), 20_000));
    t.true(sinks.every((x, i) => x.text() === `echo ${round}:${i}`));
    t.true(sockets.every((s) => s.closeReason?.code === 'end'));
    t.is(alice.manager.channelList(bob.key).length, 0);
    t.is(bob.manager.channelList(alice.key).length, 0);
  }
});

test('limits: channels per friend, pending opens, name length, keys and options, each a typed error', async (t) => {
  const { clock, alice, bob } = memoryPair({ config: { maxChannels: 3, maxPendingOpens: 2, maxUriBytes: 16 } });
  bob.manager.onChannelRequest(() => true);
  const code = async (p: Promise<unknown>) => ((await t.throwsAsync(settle(clock, p))) as MuxError).code;
  t.is(await code(alice.manager.connectDevice(bob.key, '')), 'bad-uri');
  t.is(await code(alice.manager.connectDevice(bob.key, 'x'.repeat(17))), 'uri-too-long');
  t.is(await code(alice.manager.connectDevice(new Uint8Array(31), 'x')), 'bad-key');
  t.is(await code(alice.manager.connectDevice(alice.key, 'x')), 'bad-key');
  t.is(await code(alice.manager.connectDevice(bob.key, 'x', { windowBytes: 10 })), 'bad-option');
  t.is(await code(alice.manager.connectDevice(bob.key, 'x', { timeoutMs: 0 })), 'bad-option');
  const two = [alice.manager.connectDevice(bob.key, 'p1'), alice.manager.connectDevice(bob.key, 'p2')];
  t.is(await code(alice.manager.connectDevice(bob.key, 'p3')), 'too-many-pending');
  await settle(clock, Promise.all(two));
  await settle(clock, alice.manager.connectDevice(bob.key, 'p3'));
  t.is(await code(alice.manager.connectDevice(bob.key, 'p4')), 'too-many-channels');
  // The friend's side refuses beyond its own limit too: Bob has three channels already.
  bob.manager.onChannelRequest(() => true);
  alice.manager.onChannelRequest(() => true);
  const e = await t.throwsAsync(settle(clock, bob.manager.connectDevice(alice.key, 'more')));
  t.is((e as MuxError).code, 'too-many-channels');
});

test('a timeout withdraws the request; the late yes is ignored and the tables empty', async (t) => {
  const { clock, alice, bob } = memoryPair({ config: { acceptTimeoutMs: 60_000 } });
  let release: (v: boolean) => void = () => {};
  bob.manager.onChannelRequest(() => new Promise<boolean>((r) => { release = r; }));
  const opened: ChannelSocket[] = [];
  bob.manager.on('channel', (s) => opened.push(s));
  const start = clock.now();
  const e = await t.throwsAsync(settle(clock, alice.manager.connectDevice(bob.key, 'slow', { timeoutMs: 500 })));
  t.is((e as MuxError).code, 'timeout');
  t.true(clock.now() - start >= 500 && clock.now() - start < 520);
  await runUntil(clock, () => false, 100);
  release(true);
  await runUntil(clock, () => false, 100);
  t.is(opened.length, 0);
  t.is(alice.manager.channelList(bob.key).length, 0);
  t.is(bob.manager.channelList(alice.key).length, 0);
});

test('an AbortSignal withdraws the request; a request accepted as it was withdrawn is reset', async (t) => {
  const { clock, alice, bob } = memoryPair({ latencyMs: 20 });
  bob.manager.onChannelRequest(() => true);
  const incoming: Sink[] = [];
  bob.manager.on('channel', (s) => incoming.push(new Sink(s)));
  const ac = new AbortController();
  const p = alice.manager.connectDevice(bob.key, 'x', { signal: ac.signal });
  await runUntil(clock, () => false, 30);
  ac.abort();
  const e = await t.throwsAsync(settle(clock, p));
  t.is((e as MuxError).code, 'aborted');
  await runUntil(clock, () => incoming.every((s) => s.closed), 1000);
  t.is(incoming.length, 1);
  t.true(isMuxError(incoming[0]!.error, 'reset'));
  t.is(alice.manager.channelList(bob.key).length, 0);
  t.is(bob.manager.channelList(alice.key).length, 0);
  const pre = new AbortController();
  pre.abort();
  t.is(((await t.throwsAsync(settle(clock, alice.manager.connectDevice(bob.key, 'y', { signal: pre.signal })))) as MuxError).code, 'aborted');
});

test('onConnectionRequest: a refused friend gets `refused`; an accepted one (async) gets its channel', async (t) => {
  const { clock, alice, bob } = memoryPair();
  bob.manager.onChannelRequest(() => true);
  bob.manager.onConnectionRequest(() => false);
  const e = await t.throwsAsync(settle(clock, alice.manager.connectDevice(bob.key, 'x')));
  t.is((e as MuxError).code, 'refused');
  t.false(alice.manager.isConnected(bob.key));
  bob.manager.onConnectionRequest(async (key) => Buffer.from(key).equals(Buffer.from(alice.key)));
  const s = await settle(clock, alice.manager.connectDevice(bob.key, 'x'));
  t.is(s.uri, 'x');
});

test('a connector that fails gives connect-failed; one that never answers gives timeout', async (t) => {
  const { SimClock } = await import('../../src/io/index.ts');
  const { ConnectionManager } = await import('../../src/mux/index.ts');
  const clock = new SimClock();
  const self = new Uint8Array(32).fill(1);
  const friend = new Uint8Array(32).fill(2);
  const failing = new ConnectionManager({ selfKey: self, clock, connector: { connect: async () => { throw new Error('no route'); } } });
  const e1 = await t.throwsAsync(settle(clock, failing.connectDevice(friend, 'x')));
  t.is((e1 as MuxError).code, 'connect-failed');
  t.regex((e1 as MuxError).message, /no route/);
  let aborted = false;
  const hanging = new ConnectionManager({
    selfKey: self, clock, connector: {
      connect: (_k, { signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => { aborted = true; reject(signal.reason); })),
    },
  });
  const e2 = await t.throwsAsync(settle(clock, hanging.connectDevice(friend, 'x', { timeoutMs: 1000 }), 40_000));
  t.is((e2 as MuxError).code, 'timeout');
  // The shared bring-up has its own bound (connectTimeoutMs), and is aborted by it.
  await runUntil(clock, () => aborted, 40_000);
  t.true(aborted);
  const p = hanging.connectDevice(friend, 'y');
  hanging.close();
  t.is(((await t.throwsAsync(settle(clock, p))) as MuxError).code, 'manager-closed');
});

test('our own open while onConnectionRequest still decides: the friend\'s first packets go to the new session, in order', async (t) => {
  const { clock, alice, bob } = memoryPair();
  alice.manager.onChannelRequest(() => true);
  bob.manager.onChannelRequest(() => true);
  let decide: (v: boolean) => void = () => {};
  bob.manager.onConnectionRequest(() => new Promise<boolean>((r) => { decide = r; }));
  const fromAlice = alice.manager.connectDevice(bob.key, 'a-to-b');
  await runUntil(clock, () => false, 50);
  // Bob opens to Alice before his handler answered: that starts his session.
  const fromBob = await settle(clock, bob.manager.connectDevice(alice.key, 'b-to-a'));
  const a = await settle(clock, fromAlice);
  decide(false);
  await runUntil(clock, () => false, 50);
  t.is(a.uri, 'a-to-b');
  t.is(fromBob.uri, 'b-to-a');
  t.true(bob.manager.isConnected(alice.key));
  t.is(bob.manager.stats.dropped(), 0);
});

test('a connector without onCarrier: the friend\'s side attaches its carrier by hand', async (t) => {
  const { SimClock } = await import('../../src/io/index.ts');
  const { ConnectionManager } = await import('../../src/mux/index.ts');
  const { MemoryCarrier } = await import('./helpers.ts');
  const clock = new SimClock();
  const ka = new Uint8Array(32).fill(3);
  const kb = new Uint8Array(32).fill(4);
  const ca = new MemoryCarrier(kb, clock, 5, 64);
  const cb = new MemoryCarrier(ka, clock, 5, 64);
  ca.peer = cb;
  cb.peer = ca;
  const alice = new ConnectionManager({ selfKey: ka, clock, connector: { connect: async () => ca } });
  const bob = new ConnectionManager({ selfKey: kb, clock, connector: { connect: async () => cb } });
  t.true(bob.attach(cb));
  t.true(bob.attach(cb), 'attaching twice is harmless');
  t.false(bob.attach(new MemoryCarrier(kb, clock, 5, 64)), 'a carrier to our own key is refused');
  bob.onChannelRequest(() => true);
  // A yes with nobody to take the socket is a no.
  t.true(isMuxError(await t.throwsAsync(settle(clock, alice.connectDevice(kb, 'nobody listens'))), 'declined'));
  bob.on('channel', (c) => c.on('error', () => {}));
  const closed: string[] = [];
  bob.on('connection-closed', (c) => closed.push(c.error.code));
  const s = await settle(clock, alice.connectDevice(kb, 'x'));
  t.is(s.uri, 'x');
  s.on('error', () => {});
  t.deepEqual(bob.connections().map((k) => k[0]), [3]);
  ca.close('gone');
  await runUntil(clock, () => closed.length > 0, 100);
  t.deepEqual(closed, ['connection-closed']);
  t.deepEqual(bob.connections(), []);
});
