/**
 * The channel layer's hot paths, held to what bench/mux.ts found (each test fails on the
 * code before the fix): packets cut from shared slabs rather than one allocation each, a
 * packet checked without building frames, frames that arrive together reaching the reader
 * as one chunk, control messages that own only their bytes, abort listeners that cost
 * no EventTarget, frames copied from their packets by offsets, and an open to a friend
 * whose session is up that queues its REQUEST at once.
 */
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { SimClock } from '../../src/io/index.ts';
import { generateKeyPair } from '../../src/crypto/index.ts';
import {
  ChannelState, ConnectionManager, MAX_MUX_PACKET_SIZE, MuxError, PacketBuilder, decodeMuxPacket, encodeControl, isMuxError,
  isMuxPacket, type ChannelSocket, type MuxCarrier, type MuxCarrierEvents,
} from '../../src/mux/index.ts';
import { Deadline } from '../../src/mux/deadline.ts';
import { ReceiveQueue } from '../../src/mux/channel.ts';

test('packets are cut end to end from shared slabs, never overlap, and an empty builder takes no room', (t) => {
  const b = new PacketBuilder();
  const packets: Uint8Array[] = [];
  for (let i = 0; i < 1000; i++) {
    b.reset();
    b.add(1 + (i % 7), new Uint8Array(1 + (i % 50)).fill(i & 0xff));
    packets.push(b.finish());
  }
  // One allocation per packet was a fifth of a busy channel's CPU: now a slab holds dozens.
  const buffers = new Set(packets.map((p) => p.buffer));
  t.true(buffers.size <= 2, `${buffers.size} array buffers for 1000 small packets`);
  for (let i = 1; i < packets.length; i++) {
    const [p, q] = [packets[i - 1]!, packets[i]!];
    if (p.buffer === q.buffer) t.true(p.byteOffset + p.length <= q.byteOffset, `packet ${i} overlaps the one before`);
  }
  packets.forEach((p, i) => t.deepEqual(decodeMuxPacket(p), [{ channel: 1 + (i % 7), body: new Uint8Array(1 + (i % 50)).fill(i & 0xff) }]));
  // Full packets: 47 to a 64 KiB slab.
  const full: Uint8Array[] = [];
  for (let i = 0; i < 470; i++) {
    b.reset();
    b.add(3, new Uint8Array(b.room));
    full.push(b.finish());
  }
  t.true(full.every((p) => p.length === MAX_MUX_PACKET_SIZE));
  t.true(new Set(full.map((p) => p.buffer)).size <= 12);
  // A builder that adds nothing reserves nothing.
  b.reset();
  const before = new PacketBuilder();
  before.add(1, Uint8Array.of(1));
  const first = before.finish();
  b.reset();
  const after = new PacketBuilder();
  after.add(1, Uint8Array.of(2));
  const second = after.finish();
  if (first.buffer === second.buffer) t.is(second.byteOffset, first.byteOffset + first.length);
});

test('isMuxPacket says yes exactly when decodeMuxPacket decodes, on random, valid and cut input', (t) => {
  const valid = fc.array(fc.record({ channel: fc.integer({ min: 0, max: 0xffff }), body: fc.uint8Array({ maxLength: 300 }) }), { minLength: 1, maxLength: 4 })
    .map((frames) => {
      const b = new PacketBuilder();
      for (const f of frames) if (f.body.length <= b.room) b.add(f.channel, f.body);
      return b.empty ? Uint8Array.of(0xa7, 0, 0, 0, 1) : b.finish();
    });
  const decodes = (p: Uint8Array): boolean => {
    try {
      decodeMuxPacket(p);
      return true;
    } catch {
      return false;
    }
  };
  fc.assert(fc.property(fc.oneof(
    fc.uint8Array({ maxLength: 1500 }),
    valid,
    valid.chain((p) => fc.integer({ min: 0, max: p.length }).map((n) => p.subarray(0, n))),
    valid.map((p) => Uint8Array.from([...p, 0])),
  ), (p) => isMuxPacket(p) === decodes(p)), { numRuns: 3000 });
  t.pass();
});

test('an encoded control message owns exactly its bytes (no 2 KiB encoder buffer behind each queued message)', (t) => {
  for (let i = 1; i < 200; i++) {
    const body = encodeControl({ type: 'channel', channel: i, state: ChannelState.REQUEST, name: `file://${i}`, window: 262144 });
    t.is(body.buffer.byteLength, body.length);
  }
  const a = encodeControl({ type: 'credit', channel: 5, credit: 1000 });
  const b = encodeControl({ type: 'credit', channel: 6, credit: 2000 });
  t.not(a.buffer, b.buffer);
  t.is(Buffer.from(a).toString('hex'), Buffer.from(encodeControl({ type: 'credit', channel: 5, credit: 1000 })).toString('hex'));
});

/** A carrier whose packets wait until the test hands them over, all in one go. */
class HeldCarrier implements MuxCarrier {
  peer!: HeldCarrier;
  closed = false;
  held: Uint8Array[] = [];
  readonly #l: { [K in keyof MuxCarrierEvents]: Array<(v: MuxCarrierEvents[K]) => void> } = { packet: [], drain: [], closed: [] };

  constructor(readonly friendKey: Uint8Array) {}

  send(packet: Uint8Array): boolean {
    this.held.push(Uint8Array.from(packet));
    return true;
  }

  on<K extends keyof MuxCarrierEvents>(event: K, listener: (value: MuxCarrierEvents[K]) => void): () => void {
    (this.#l[event] as Array<(v: MuxCarrierEvents[K]) => void>).push(listener);
    return () => {};
  }

  /** Delivers everything held to the peer, synchronously; returns how many packets. */
  deliver(): number {
    const batch = this.held;
    this.held = [];
    for (const p of batch) for (const l of this.peer.#l.packet) l(p);
    return batch.length;
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Alice and Bob over a pair of HeldCarriers on one SimClock; Bob accepts every channel. */
function heldPair(t: ExecutionContext) {
  const clock = new SimClock();
  const aKey = generateKeyPair().publicKey;
  const bKey = generateKeyPair().publicKey;
  const ca = new HeldCarrier(bKey);
  const cb = new HeldCarrier(aKey);
  ca.peer = cb;
  cb.peer = ca;
  const connector = (c: HeldCarrier) => ({ connect: async () => c, onCarrier: (l: (c: MuxCarrier) => void) => { l(c); return () => {}; } });
  const alice = new ConnectionManager({ selfKey: aKey, connector: connector(ca), clock });
  const bob = new ConnectionManager({ selfKey: bKey, connector: connector(cb), clock });
  t.teardown(() => { alice.close(); bob.close(); });
  bob.onChannelRequest(() => true);
  return { clock, aKey, bKey, ca, cb, alice, bob };
}

test('frames that arrive in one batch reach the reader as one chunk per block, not one per frame', async (t) => {
  const { clock, bKey, ca, cb, alice, bob } = heldPair(t);
  const accepted: ChannelSocket[] = [];
  bob.on('channel', (s) => { s.on('error', () => {}); accepted.push(s); });
  const opening = alice.connectDevice(bKey, 'batch');
  let socket: ChannelSocket | undefined;
  void opening.then((s) => { socket = s; s.on('error', () => {}); });
  for (let i = 0; i < 10 && socket === undefined; i++) {
    await tick();
    ca.deliver();
    await tick();
    cb.deliver();
    await tick();
  }
  t.truthy(socket);
  const chunks: number[] = [];
  accepted[0]!.on('data', (c: Buffer) => chunks.push(c.length));
  socket!.write(new Uint8Array(20_000).fill(7));
  await tick();
  const packets = ca.deliver();
  await tick();
  t.true(packets >= 15, `${packets} packets`);
  t.is(chunks.reduce((a, b) => a + b, 0), 20_000);
  // 20,000 bytes fill one 16 KiB block and part of the next: two pushes, where a push per frame made fifteen.
  t.true(chunks.length <= 2, `${chunks.length} chunks for ${packets} packets`);
});

test('Deadline.onAbort: called once when it fires, never after its off(), at once if it fired already; race rejects with the reason', async (t) => {
  const clock = new SimClock();
  const d = new Deadline(clock, 1000, () => new MuxError('timeout', 'late'), []);
  const calls: string[] = [];
  d.onAbort(() => calls.push('a'));
  const off = d.onAbort(() => calls.push('b'));
  off();
  const raced = d.race(new Promise<never>(() => {}));
  clock.advance(1000);
  t.deepEqual(calls, ['a']);
  const e = await t.throwsAsync(raced);
  t.true(isMuxError(e, 'timeout'));
  t.true(d.signal.aborted);
  d.onAbort(() => calls.push('c'));
  t.deepEqual(calls, ['a', 'c']);
  clock.advance(1000);
  t.deepEqual(calls, ['a', 'c']);
  d.dispose();
});

test('a frame is copied into its channel\'s blocks from its packet by offsets, and each block is its own (a paused reader keeps no one else\'s memory)', (t) => {
  const q = new ReceiveQueue();
  const blocks: Buffer[] = [];
  const packet = new Uint8Array(1373);
  for (let i = 0; i < 120; i++) {
    packet.fill(i & 0xff, 5);
    q.append(packet, 5, 1368);
    if (i % 12 === 11) for (let c = q.take(); c !== undefined; c = q.take()) blocks.push(c);
  }
  for (let c = q.take(); c !== undefined; c = q.take()) blocks.push(c);
  t.is(blocks.reduce((a, b) => a + b.length, 0), 120 * 1368);
  const all = Buffer.concat(blocks);
  for (let i = 0; i < 120; i++) t.is(all[i * 1368 + 700], i & 0xff, `frame ${i}`);
  // Ten blocks, each its own memory: a held block keeps 16 KiB alive, not a slab of other channels' bytes.
  for (const b of blocks) t.true(b.buffer.byteLength <= 2 * ReceiveQueue.BLOCK_SIZE, `a block in ${b.buffer.byteLength} bytes`);
  q.append(Uint8Array.of(0xa7, 0, 3, 0, 1, 9, 8, 7), 5, 3);
  t.deepEqual([...q.take()!], [9, 8, 7]);
});

test('an open to a friend whose session is up queues its REQUEST at once, without waiting for promise jobs', async (t) => {
  const { bKey, ca, cb, alice, bob } = heldPair(t);
  bob.on('channel', (s) => s.on('error', () => {}));
  const first = alice.connectDevice(bKey, 'first');
  for (let i = 0; i < 10 && alice.session(bKey)?.pendingOpens !== 1; i++) await tick();
  t.is(alice.session(bKey)?.pendingOpens, 1);
  const second = alice.connectDevice(bKey, 'second');
  // Synchronously: the second REQUEST is in the session's table before connectDevice returns.
  t.is(alice.session(bKey)?.pendingOpens, 2);
  for (let i = 0; i < 10 && alice.session(bKey)!.pendingOpens > 0; i++) {
    await tick();
    ca.deliver();
    await tick();
    cb.deliver();
  }
  const sockets = await Promise.all([first, second]);
  t.deepEqual(sockets.map((s) => s.uri), ['first', 'second']);
  for (const s of sockets) s.on('error', () => {});
});
