/**
 * The scenarios of dhtnet's connection-manager test suite (tests/connectionManager.cpp)
 * that apply to the channel layer, each run twice: on the simulated network with 5 % loss
 * (simulated time) and over real loopback UDP (two NetCrypto nodes, `cryptoCarrier`).
 * test/mux/sim.test.ts and the in-memory tests had some on the simulator only, or in
 * memory only; here every one runs in both places. dhtnet's beacon tests have no
 * counterpart: the friend layer's alive packets watch the connection.
 *
 * | dhtnet test | here |
 * |---|---|
 * | ConnectDevice, AcceptConnection, IsConnected, GetChannelList | accept |
 * | DeclineConnection | refuse |
 * | MultipleChannels, MultipleChannelsOneDeclined, MultipleChannelsSameName, SendReceiveData | several channels on one connection |
 * | AcceptsICERequest, DeclineICERequest | onConnectionRequest |
 * | ManyChannels | many channels both ways, twice |
 * | ChannelRcvShutdown, ChannelSenderShutdown | close from either side |
 * | CloseConnectionWith, DestroyWhileConnecting | closeConnectionsWith |
 * | MultiChannelShutdown | the connection ends while many opens are in flight |
 * | ShutdownCallbacks, ShutdownWhileNegotiating | a request being decided when the session ends |
 * | FloodSocket | flood |
 * | DestroyWhileSending | managers closed mid-send |
 * | (issue 8) simultaneous open, peer disconnect during transfer, big transfers | the same |
 */
import test, { type ExecutionContext } from 'ava';
import { isMuxError, type ChannelSocket, type MuxConfig } from '../../src/mux/index.ts';
import { patternDigest, Sink, writeAll } from './helpers.ts';
import { simWorld, udpWorld, type World } from './dhtnet-worlds.ts';

type Scenario = (t: ExecutionContext, w: World) => Promise<void>;

let seed = 100;
/** Registers `run` twice: on the simulator (its own seed) and over loopback UDP. */
function scenario(title: string, run: Scenario, mux?: Partial<MuxConfig>): void {
  const s = seed++;
  test(`${title} — simulated network, 5 % loss`, async (t) => run(t, await simWorld(s, mux)));
  test(`${title} — loopback UDP`, async (t) => run(t, await udpWorld(t, mux)));
}

const text = (s: Sink): string => s.text();

/** A no-op 'error' listener (the test looks at errors itself; a teardown closing the managers must not throw). */
function quiet<T extends ChannelSocket | ChannelSocket[]>(s: T): T {
  for (const socket of Array.isArray(s) ? s : [s]) socket.on('error', () => {});
  return s;
}

scenario('accept: both sides hold the channel, the same name, in channelList; data both ways', async (t, w) => {
  const asked: string[] = [];
  w.bob.manager.onChannelRequest(({ uri }) => {
    asked.push(uri);
    return true;
  });
  const a = await w.settle(w.alice.manager.connectDevice(w.bob.key, 'git://*'));
  t.true(await w.until(() => w.bob.accepted.length === 1, 5_000));
  const b = w.bob.accepted[0]!;
  t.deepEqual(asked, ['git://*']);
  t.is(b.uri, 'git://*');
  t.is(b.channelId, a.channelId);
  t.true(a.initiator);
  t.false(b.initiator);
  t.deepEqual(w.alice.manager.channelList(w.bob.key), [{ channelId: a.channelId, uri: 'git://*', initiator: true, phase: 'open' }]);
  t.true(w.alice.manager.isConnected(w.bob.key));
  t.true(w.bob.manager.isConnected(w.alice.key));
  const atA = new Sink(a, true);
  const atB = new Sink(b, true);
  a.end('dhtnet');
  b.end('toxlink');
  t.true(await w.until(() => atA.closed && atB.closed, 10_000));
  t.is(text(atB), 'dhtnet');
  t.is(text(atA), 'toxlink');
  t.is(a.closeReason?.code, 'end');
  t.is(w.alice.manager.channelList(w.bob.key).length, 0);
});

scenario('refuse: the opener gets declined with the reason; the acceptor never holds a socket', async (t, w) => {
  w.bob.manager.onChannelRequest(() => ({ reason: 'no git here' }));
  const e = await t.throwsAsync(w.settle(w.alice.manager.connectDevice(w.bob.key, 'git://*')));
  t.true(isMuxError(e, 'declined'));
  t.is((e as { remoteReason?: string }).remoteReason, 'no git here');
  t.is(w.bob.accepted.length, 0);
  t.is(w.bob.manager.channelList(w.alice.key).length, 0);
});

scenario('several channels on one connection: one declined, two with the same name, each carries its own bytes', async (t, w) => {
  w.bob.manager.onChannelRequest(({ uri }) => uri !== 'git://no');
  const opens = ['sip://*', 'git://no', 'same', 'same'].map((uri) => w.alice.manager.connectDevice(w.bob.key, uri).then((s) => s, (e: unknown) => e as Error));
  const [sip, git, same1, same2] = await w.settle(Promise.all(opens));
  t.true(isMuxError(git, 'declined'));
  const ok = quiet([sip, same1, same2] as ChannelSocket[]);
  t.true(ok.every((s) => s instanceof Object && typeof s.channelId === 'number'));
  t.is(new Set(ok.map((s) => s.channelId)).size, 3, 'two channels of one name are two channels');
  t.is(w.alice.manager.connections().length, 1, 'all on one friend connection');
  t.true(await w.until(() => w.bob.accepted.length === 3, 5_000));
  const sinks = new Map(w.bob.accepted.map((s) => [s.channelId, new Sink(s, true)]));
  ok.forEach((s, i) => s.end(`bytes of ${i}`));
  t.true(await w.until(() => [...sinks.values()].every((s) => s.ended), 10_000));
  ok.forEach((s, i) => t.is(sinks.get(s.channelId)!.text(), `bytes of ${i}`));
});

scenario('onConnectionRequest: a refused friend gets refused; once accepted, its channel opens', async (t, w) => {
  let allow = false;
  const asked: number[] = [];
  w.bob.manager.onConnectionRequest(() => {
    asked.push(1);
    return allow;
  });
  w.bob.manager.onChannelRequest(() => true);
  const e = await t.throwsAsync(w.settle(w.alice.manager.connectDevice(w.bob.key, 'x')));
  t.true(isMuxError(e, 'refused'), String(e));
  t.is(w.bob.accepted.length, 0);
  allow = true;
  const s = quiet(await w.settle(w.alice.manager.connectDevice(w.bob.key, 'y')));
  t.is(s.uri, 'y');
  t.is(asked.length, 2);
  t.true(await w.until(() => w.bob.accepted.length === 1, 5_000));
});

/** Each side echoes what a channel brings, after its EOF, with `re: ` before it. */
function echoing(w: World): void {
  for (const p of [w.alice, w.bob]) {
    p.manager.onChannelRequest(() => true);
    p.manager.on('channel', (s) => {
      const sink = new Sink(s, true);
      s.on('end', () => s.end(`re: ${sink.text()}`));
    });
  }
}

scenario('many channels both ways at once, each echoed and closed, then as many again (ids reused)', async (t, w) => {
  echoing(w);
  const n = 100;
  for (const round of [1, 2]) {
    const opens = [
      ...Array.from({ length: n }, (_, i) => w.alice.manager.connectDevice(w.bob.key, `git://${round}/${i}`)),
      ...Array.from({ length: n }, (_, i) => w.bob.manager.connectDevice(w.alice.key, `sip://${round}/${i}`)),
    ];
    const sockets = await w.settle(Promise.all(opens), 60_000);
    const sinks = sockets.map((s) => new Sink(s, true));
    sockets.forEach((s) => s.end(s.uri));
    t.true(await w.until(() => sinks.every((s) => s.closed), 60_000), `round ${round}: every channel closed`);
    t.true(sinks.every((s, i) => s.text() === `re: ${sockets[i]!.uri}`), `round ${round}: every echo right`);
    t.is(new Set(sockets.slice(0, n).map((s) => s.channelId)).size, n);
    t.is(w.alice.manager.channelList(w.bob.key).length, 0);
    t.is(w.bob.manager.channelList(w.alice.key).length, 0);
  }
}, { maxPendingOpens: 128, maxPendingAccepts: 128 });

scenario('simultaneous open before any session: both sides\' channels open, no id collides', async (t, w) => {
  echoing(w);
  const both = quiet(await w.settle(Promise.all([
    ...Array.from({ length: 5 }, (_, i) => w.alice.manager.connectDevice(w.bob.key, `a${i}`)),
    ...Array.from({ length: 5 }, (_, i) => w.bob.manager.connectDevice(w.alice.key, `b${i}`)),
  ])));
  t.is(new Set(both.map((s) => s.channelId)).size, 10);
  t.is(w.alice.manager.channelList(w.bob.key).length, 10);
  t.is(w.bob.manager.channelList(w.alice.key).length, 10);
});

scenario('close from either side: the acceptor ends first, the opener ends first, the acceptor resets', async (t, w) => {
  w.bob.manager.onChannelRequest(() => true);
  const [c1, c2, c3] = await w.settle(Promise.all(['1', '2', '3'].map((u) => w.alice.manager.connectDevice(w.bob.key, u))));
  t.true(await w.until(() => w.bob.accepted.length === 3, 5_000));
  const [b1, b2, b3] = ['1', '2', '3'].map((u) => w.bob.accepted.find((s) => s.uri === u)!);
  const [a1, a2, a3] = [c1!, c2!, c3!].map((s) => new Sink(s, true));
  const [s1, s2] = [b1!, b2!].map((s) => new Sink(s, true));
  // 1: the acceptor shuts its side down; the opener sees it, then ends its own.
  b1!.end('bye from bob');
  t.true(await w.until(() => a1!.ended, 5_000));
  t.false(a1!.closed, 'the other direction is still open');
  c1!.end('bye from alice');
  // 2: the opener shuts down right after the open.
  c2!.end();
  t.true(await w.until(() => s2!.ended, 5_000));
  b2!.end();
  // 3: the acceptor resets.
  b3!.destroy(new Error('no more'));
  t.true(await w.until(() => a1!.closed && s1!.closed && a2!.closed && s2!.closed && a3!.closed, 5_000));
  t.is(text(a1!), 'bye from bob');
  t.is(text(s1!), 'bye from alice');
  t.is(c1!.closeReason?.code, 'end');
  t.is(c2!.closeReason?.code, 'end');
  t.is(c3!.closeReason?.code, 'reset');
  t.is((a3!.error as { remoteReason?: string }).remoteReason, 'no more');
});

scenario('closeConnectionsWith: channels on both sides close; the next open starts a new session', async (t, w) => {
  w.bob.manager.onChannelRequest(() => true);
  const a = await w.settle(w.alice.manager.connectDevice(w.bob.key, 'git://*'));
  t.true(await w.until(() => w.bob.accepted.length === 1, 5_000));
  const here = new Sink(a);
  const there = new Sink(w.bob.accepted[0]!);
  w.alice.manager.closeConnectionsWith(w.bob.key);
  t.true(await w.until(() => here.closed && there.closed, 5_000));
  t.is(a.closeReason?.code, 'manager-closed');
  t.is(w.bob.accepted[0]!.closeReason?.code, 'connection-closed');
  const again = quiet(await w.settle(w.alice.manager.connectDevice(w.bob.key, 'git://again')));
  t.is(again.uri, 'git://again');
});

scenario('the connection ends while many opens are in flight: every open settles once, every socket closes', async (t, w) => {
  w.bob.manager.onChannelRequest(() => true);
  const n = 60;
  let settled = 0;
  let twice = 0;
  const opened: ChannelSocket[] = [];
  const failed: Error[] = [];
  for (let i = 0; i < n; i++) {
    let calls = 0;
    w.alice.manager.connectDevice(w.bob.key, `git://${i}`, (error, socket) => {
      if (++calls > 1) twice++;
      settled++;
      if (socket !== undefined) {
        socket.on('error', () => {});
        opened.push(socket);
        if (opened.length === 10) w.dropConnection();
      } else failed.push(error!);
    });
  }
  t.true(await w.until(() => settled === n, 20_000), `${settled} of ${n} opens settled`);
  t.is(twice, 0);
  t.true(opened.length >= 10);
  t.true(failed.every((e) => isMuxError(e, 'connection-closed') || isMuxError(e, 'declined')), failed.map(String).join('; '));
  t.true(await w.until(() => opened.every((s) => s.destroyed) && w.bob.accepted.every((s) => s.destroyed), 10_000));
  t.false(w.alice.manager.isConnected(w.bob.key));
});

scenario('a request still being decided when the session ends fails once; so does one when the manager closes', async (t, w) => {
  w.bob.manager.onChannelRequest(({ uri }) => (uri === '1' ? true : new Promise<boolean>(() => {})));
  const first = await w.settle(w.alice.manager.connectDevice(w.bob.key, '1'));
  const watch = new Sink(first);
  const calls: Array<Error | undefined> = [];
  w.alice.manager.connectDevice(w.bob.key, '2', (error) => calls.push(error));
  t.true(await w.until(() => w.bob.manager.session(w.alice.key)?.channels().some((c) => c.uri === '2') === true, 5_000));
  w.bob.manager.closeConnectionsWith(w.alice.key);
  t.true(await w.until(() => calls.length > 0 && watch.closed, 5_000));
  t.false(await w.until(() => calls.length > 1, 300), 'the callback came twice');
  t.is(calls.length, 1);
  t.true(isMuxError(calls[0], 'connection-closed'), String(calls[0]));
  // Negotiating when our own manager closes: the open fails with manager-closed.
  const third = w.alice.manager.connectDevice(w.bob.key, '3');
  t.true(await w.until(() => w.bob.manager.session(w.alice.key)?.channels().some((c) => c.uri === '3') === true, 5_000));
  w.alice.manager.close();
  const e = await t.throwsAsync(w.settle(third, 5_000));
  t.true(isMuxError(e, 'manager-closed'), String(e));
});

scenario('flood: three channels written without waiting for drain arrive byte-exact and in order', async (t, w) => {
  w.bob.manager.onChannelRequest(() => true);
  const sockets = quiet(await w.settle(Promise.all(['1', '2', '3'].map((u) => w.alice.manager.connectDevice(w.bob.key, u)))));
  t.true(await w.until(() => w.bob.accepted.length === 3, 5_000));
  const sinks = sockets.map((s) => new Sink(w.bob.accepted.find((b) => b.channelId === s.channelId)!, true));
  const alphabet = 'QWERTYUIOPASDFGHJKLZXCVBNM';
  for (const letter of alphabet) for (const s of sockets) s.write(letter.repeat(8000));
  for (const s of sockets) s.end();
  t.true(await w.until(() => sinks.every((s) => s.ended), 30_000));
  const expected = [...alphabet].map((l) => l.repeat(8000)).join('');
  for (const s of sinks) t.true(text(s) === expected, `a channel got ${s.bytes} bytes, not the ${expected.length} in order`);
});

scenario('big transfers both ways at once arrive whole (sha256); then the friend drops mid-transfer and nothing hangs', async (t, w) => {
  w.bob.manager.onChannelRequest(() => true);
  const size = w.bigBytes;
  const [up, down] = quiet(await w.settle(Promise.all([w.alice.manager.connectDevice(w.bob.key, 'up'), w.alice.manager.connectDevice(w.bob.key, 'down')])));
  t.true(await w.until(() => w.bob.accepted.length === 2, 5_000));
  const bUp = w.bob.accepted.find((s) => s.uri === 'up')!;
  const bDown = w.bob.accepted.find((s) => s.uri === 'down')!;
  const atBob = new Sink(bUp);
  const atAlice = new Sink(down!);
  writeAll(up!, 41, size);
  writeAll(bDown, 42, size);
  t.true(await w.until(() => atBob.ended && atAlice.ended, 120_000), `${atBob.bytes} and ${atAlice.bytes} of ${size}`);
  t.is(atBob.digest(), patternDigest(41, size));
  t.is(atAlice.digest(), patternDigest(42, size));
  // Now three more transfers, and the connection goes away under them.
  const more = await w.settle(Promise.all([1, 2, 3].map((i) => w.alice.manager.connectDevice(w.bob.key, `t${i}`))));
  t.true(await w.until(() => w.bob.accepted.length === 5, 5_000));
  const there = w.bob.accepted.slice(2).map((s) => new Sink(s));
  const here = more.map((s) => new Sink(s));
  more.forEach((s, i) => writeAll(s, 50 + i, 50 * size));
  t.true(await w.until(() => there.every((s) => s.bytes > 100_000), 30_000));
  w.dropConnection();
  t.true(await w.until(() => [...here, ...there].every((s) => s.closed), 10_000));
  for (const s of [...here, ...there]) t.true(isMuxError(s.error, 'connection-closed'), String(s.error));
  const again = quiet(await w.settle(w.alice.manager.connectDevice(w.bob.key, 'after')));
  t.is(again.uri, 'after');
});

scenario('the managers are closed while three channels send: nothing throws, every socket closes', async (t, w) => {
  w.bob.manager.onChannelRequest(() => true);
  const sockets = await w.settle(Promise.all(['1', '2', '3'].map((u) => w.alice.manager.connectDevice(w.bob.key, u))));
  t.true(await w.until(() => w.bob.accepted.length === 3, 5_000));
  for (const s of w.bob.accepted) s.resume();
  const sinks = sockets.map((s) => new Sink(s));
  sockets.forEach((s, i) => writeAll(s, 60 + i, 100_000_000));
  t.true(await w.until(() => w.bob.accepted.every((s) => s.bytesReceived > 50_000), 20_000));
  w.alice.manager.close();
  w.bob.manager.close();
  t.true(await w.until(() => sinks.every((s) => s.closed) && w.bob.accepted.every((s) => s.destroyed), 5_000));
  for (const s of sockets) t.is(s.closeReason?.code, 'manager-closed');
});
