/**
 * What a broken or hostile friend can send, against a real manager, with the friend's side
 * scripted byte by byte: every bad frame is dropped and counted (or its channel reset),
 * nothing throws, every table stays bounded.
 */
import test from 'ava';
import { encode } from '@msgpack/msgpack';
import { SimClock } from '../../src/io/index.ts';
import {
  ChannelState, ConnectionManager, decodeControl, decodeMuxPacket, encodeControl, encodeMuxPacket, isMuxError,
  type ChannelSocket, type ControlMessage, type Frame, type MuxConfig,
} from '../../src/mux/index.ts';
import { ReceiveQueue } from '../../src/mux/channel.ts';
import { MemoryCarrier, keepIncoming, runUntil, settle, Sink } from './helpers.ts';

/** Alice has a manager; "Mallory" is a script on the other end of the link. */
function scripted(config: Partial<MuxConfig> = {}, highWater = 1024) {
  const clock = new SimClock();
  // Alice's key is the smaller: she opens odd ids, Mallory even ones.
  const aliceKey = new Uint8Array(32).fill(1);
  const malloryKey = new Uint8Array(32).fill(2);
  const a = new MemoryCarrier(malloryKey, clock, 1, highWater);
  const m = new MemoryCarrier(aliceKey, clock, 1, highWater);
  a.peer = m;
  m.peer = a;
  const heard: Array<{ channel: number; body: Uint8Array }> = [];
  m.on('packet', (p) => heard.push(...decodeMuxPacket(p)));
  const manager = new ConnectionManager({
    selfKey: aliceKey, clock, config,
    connector: { connect: async () => a, onCarrier: (l) => { l(a); return () => {}; } },
  });
  manager.on('error', (e) => { throw e; });
  keepIncoming(manager);
  const send = (...frames: Frame[]) => m.send(encodeMuxPacket(frames));
  const control = (msg: Exclude<ControlMessage, { type: 'unknown' }>): Frame => ({ channel: 0, body: encodeControl(msg) });
  const controls = () => heard.filter((f) => f.channel === 0).map((f) => decodeControl(f.body));
  const step = () => runUntil(clock, () => false, 10);
  return { clock, manager, a, m, malloryKey, send, control, controls, heard, step };
}

test('garbage packets, frames and control messages are counted, never thrown', async (t) => {
  const s = scripted();
  s.manager.onChannelRequest(() => true);
  s.send(s.control({ type: 'version', version: 1 }));
  await s.step();
  const raw = (bytes: number[]) => s.m.send(Uint8Array.from(bytes));
  raw([0xa7]);
  raw([0xa7, 0, 9, 0, 1, 1]);
  raw([0xa7, 0, 0, 0]);
  raw([0xa2, 1, 2, 3]);
  s.send({ channel: 0, body: Uint8Array.of(0xc1) });
  s.send({ channel: 0, body: encode([1, 2, 3]) });
  s.send({ channel: 0, body: new Uint8Array(0) });
  s.send({ channel: 0, body: encode({ type: 77 }) });
  s.send(s.control({ type: 'version', version: 1 }));
  s.send({ channel: 0xffff, body: Uint8Array.of(1) });
  s.send({ channel: 40, body: Uint8Array.of(1) });
  s.send(s.control({ type: 'credit', channel: 40, credit: 5 }));
  s.send(s.control({ type: 'channel', channel: 41, state: ChannelState.ACCEPT, window: 5 }));
  s.send(s.control({ type: 'channel', channel: 42, state: ChannelState.RESET, reason: 'x' }));
  await s.step();
  const d = s.manager.stats;
  t.is(d.dropped('malformed-packet'), 3);
  t.is(d.dropped('bad-control'), 3);
  t.is(d.dropped('unknown-control'), 1);
  t.is(d.dropped('repeated-version'), 1);
  t.is(d.dropped('reserved-channel'), 1);
  t.is(d.dropped('unknown-channel'), 3);
  t.is(d.dropped('unexpected-answer'), 1);
  t.is(s.manager.channelList(s.malloryKey).length, 0);
});

test('control messages before VERSION, and packets that start no session, are dropped', async (t) => {
  const s = scripted();
  s.manager.onChannelRequest(() => true);
  s.send(s.control({ type: 'channel', channel: 2, state: ChannelState.REQUEST, name: 'x', window: 4096 }));
  await s.step();
  t.is(s.manager.stats.dropped('no-session'), 1);
  // Alice starts the session herself; Mallory talks before its VERSION.
  const open = s.manager.connectDevice(s.malloryKey, 'y', { timeoutMs: 100 });
  open.catch(() => {});
  await s.step();
  s.send(s.control({ type: 'channel', channel: 2, state: ChannelState.REQUEST, name: 'x', window: 4096 }));
  await s.step();
  t.is(s.manager.stats.dropped('before-version'), 1);
  t.true(isMuxError(await t.throwsAsync(settle(s.clock, open)), 'timeout'));
});

test('bad requests are declined: wrong parity, reserved ids, an id in use, a bad name; the live channel is untouched', async (t) => {
  const s = scripted({ maxUriBytes: 8 });
  s.manager.onChannelRequest(() => true);
  const opened: ChannelSocket[] = [];
  s.manager.on('channel', (c) => opened.push(c));
  const req = (channel: number, name = 'ok') => ({ channel: 0, body: encode({ type: 1, channel, state: ChannelState.REQUEST, name, window: 4096 }) });
  s.send(s.control({ type: 'version', version: 1 }), req(2));
  await s.step();
  t.is(opened.length, 1);
  s.send(req(3), req(0), req(0xffff), req(2), req(4, ''), req(6, 'much-too-long'));
  await s.step();
  const answers = s.controls().filter((m) => m.type === 'channel') as Array<{ channel: number; state: number; reason?: string }>;
  t.deepEqual(answers.map((m) => [m.channel, m.state]), [
    [2, ChannelState.ACCEPT], [3, ChannelState.DECLINE], [2, ChannelState.DECLINE], [4, ChannelState.DECLINE], [6, ChannelState.DECLINE],
  ]);
  t.is(s.manager.stats.dropped('bad-request'), 6);
  t.is(opened.length, 1);
  t.false(opened[0]!.destroyed);
  t.is(s.manager.channelList(s.malloryKey).length, 1);
});

test('data beyond the credit given resets the channel (protocol-error); data after EOF and before ACCEPT is dropped', async (t) => {
  const s = scripted({ windowBytes: 4096 });
  s.manager.onChannelRequest(({ uri }) => uri !== 'hold' && true);
  const opened: ChannelSocket[] = [];
  s.manager.on('channel', (c) => opened.push(c));
  s.send(s.control({ type: 'version', version: 1 }),
    s.control({ type: 'channel', channel: 2, state: ChannelState.REQUEST, name: 'a', window: 4096 }),
    s.control({ type: 'channel', channel: 4, state: ChannelState.REQUEST, name: 'b', window: 4096 }));
  await s.step();
  const [a, b] = opened;
  // Nobody reads channel 2, so Alice gives no more credit than the first 4 KiB.
  let error: Error | undefined;
  a!.on('error', (e) => { error = e; });
  const sb = new Sink(b!);
  // Channel 2: Mallory sends 4 KiB (its credit) and then one byte more.
  for (let i = 0; i < 4; i++) s.send({ channel: 2, body: new Uint8Array(1024) });
  s.send({ channel: 2, body: new Uint8Array(1) });
  await s.step();
  // Channel 4: EOF, then data after it.
  s.send({ channel: 4, body: new Uint8Array(0) }, { channel: 4, body: Uint8Array.of(9) });
  await s.step();
  t.true(isMuxError(error, 'protocol-error'));
  t.is(a!.closeReason?.code, 'protocol-error');
  const reset = s.controls().find((m) => m.type === 'channel' && m.channel === 2 && m.state === ChannelState.RESET);
  t.truthy(reset);
  t.is(s.manager.stats.dropped('window-exceeded'), 1);
  t.true(sb.ended);
  t.is(s.manager.stats.dropped('data-after-eof'), 1);
  // Data for a request still being decided.
  s.manager.onChannelRequest(() => new Promise<boolean>(() => {}));
  s.send(s.control({ type: 'channel', channel: 6, state: ChannelState.REQUEST, name: 'c', window: 4096 }), { channel: 6, body: Uint8Array.of(1) });
  await s.step();
  t.is(s.manager.stats.dropped('data-before-accept'), 1);
});

test('credit beyond the announced window is clamped and counted; unknown states on an open channel are ignored', async (t) => {
  const s = scripted();
  s.manager.onChannelRequest(() => true);
  const opened: ChannelSocket[] = [];
  s.manager.on('channel', (c) => opened.push(c));
  s.send(s.control({ type: 'version', version: 1 }),
    s.control({ type: 'channel', channel: 2, state: ChannelState.REQUEST, name: 'a', window: 5000 }));
  await s.step();
  s.send(s.control({ type: 'credit', channel: 2, credit: 0xffffffff }));
  s.send(s.control({ type: 'channel', channel: 2, state: 99 }));
  await s.step();
  t.is(s.manager.stats.dropped('credit-overflow'), 1);
  t.is(s.manager.stats.dropped('unknown-state'), 1);
  // Alice may still send only the 5000 bytes Mallory announced.
  opened[0]!.write(Buffer.alloc(20_000, 7));
  await s.step();
  const sent = s.heard.filter((f) => f.channel === 2).reduce((n, f) => n + f.body.length, 0);
  t.is(sent, 5000);
});

test('a flood of requests while nothing can be sent: the control backlog and the table stay bounded', async (t) => {
  const s = scripted({ maxControlBacklog: 16, maxChannels: 8, maxPendingAccepts: 4 }, 1);
  s.manager.onChannelRequest(() => new Promise<boolean>(() => {}));
  s.send(s.control({ type: 'version', version: 1 }));
  await s.step();
  // Alice's side of the link stops taking packets.
  s.a.send = () => false;
  // Delivered straight to Alice's carrier as if they had arrived.
  for (let i = 0; i < 2000; i++) {
    s.a.emit('packet', encodeMuxPacket([s.control({ type: 'channel', channel: 4000 + 2 * i, state: 0, name: `n${i}`, window: 4096 })]));
  }
  t.true(s.manager.channelList(s.malloryKey).length <= 8);
  t.true(s.manager.stats.dropped('control-backlog') > 1900);
});

test('tiny frames cost blocks, not an object each: 10,000 one-byte bodies in a few blocks', (t) => {
  const q = new ReceiveQueue();
  for (let i = 0; i < 10_000; i++) q.append(Uint8Array.of(i & 0xff));
  t.is(q.bytes, 10_000);
  const chunks: Buffer[] = [];
  for (let c = q.take(); c !== undefined; c = q.take()) chunks.push(c);
  t.is(chunks.length, 1);
  t.is(chunks[0]!.length, 10_000);
  t.is(chunks[0]![257], 1);
  t.is(q.bytes, 0);
  q.append(Uint8Array.of(1, 2));
  t.deepEqual([...q.take()!], [1, 2]);
  t.is(q.take(), undefined);
});
