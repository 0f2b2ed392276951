/**
 * The send side of a relay connection on a fake socket: control frames held while the
 * socket is full, data dropped then, and write batching (frames sent while a batch is open
 * go out in one write, in order, when it closes).
 */
import test from 'ava';
import { generateKeyPair } from '../../src/crypto/index.ts';
import type { StreamConnection } from '../../src/io/index.ts';
import { SecureStream, type StreamEvent } from '../../src/relay/index.ts';
import { BATCH_FLUSH_BYTES, FrameSender, WriteBatch } from '../../src/relay/frame-sender.ts';

/** A socket that records writes and says "full" while `full` is set. */
function fakeSocket(): { conn: StreamConnection; writes: Uint8Array[]; full: { value: boolean }; drain(): void } {
  const writes: Uint8Array[] = [];
  const full = { value: false };
  let onDrain: (() => void) | undefined;
  const conn: StreamConnection = {
    local: { host: '127.0.0.1', port: 1 },
    remote: { host: '127.0.0.1', port: 2 },
    write: (data) => {
      writes.push(data.slice());
      return !full.value;
    },
    onData: () => undefined,
    onDrain: (h) => (onDrain = h),
    onClose: () => undefined,
    end: () => undefined,
    destroy: () => undefined,
  };
  return { conn, writes, full, drain: () => onDrain?.() };
}

/** Two open streams, the one that seals and the one that opens. */
function streams(): { sealer: SecureStream; opener: SecureStream } {
  const relayKeys = generateKeyPair();
  const client = SecureStream.client(generateKeyPair(), relayKeys.publicKey);
  const relay = SecureStream.server(relayKeys);
  relay.push(client.hello);
  const hs = relay.next();
  if (hs?.kind !== 'handshake') throw new Error('no handshake');
  client.push(hs.reply!);
  client.next();
  return { sealer: relay, opener: client };
}

function plains(opener: SecureStream, bytes: Uint8Array[]): number[][] {
  for (const b of bytes) opener.push(b);
  const out: number[][] = [];
  for (let e: StreamEvent | undefined = opener.next(); e !== undefined; e = opener.next()) if (e.kind === 'frame') out.push([...e.plain]);
  return out;
}

test('frames sent while a batch is open go out in one write when it closes, in order', (t) => {
  const { sealer, opener } = streams();
  const socket = fakeSocket();
  const batch = new WriteBatch();
  const sender = new FrameSender(socket.conn, sealer, { maxQueuedBytes: 32 * 1024, writeBudgetBytes: 0 }, undefined, batch);
  batch.begin();
  batch.begin();
  for (let i = 0; i < 20; i++) t.is(sender.send(Uint8Array.of(16, i), i % 3 === 0), 'sent');
  batch.end();
  t.is(socket.writes.length, 0, 'nested: only the outermost end writes');
  batch.end();
  t.is(socket.writes.length, 1);
  t.deepEqual(plains(opener, socket.writes), [...Array(20).keys()].map((i) => [16, i]));
  // Outside a batch, each frame is its own write.
  sender.send(Uint8Array.of(16, 99), false);
  t.is(socket.writes.length, 2);
});

test('a batched write the socket reports full blocks data until drain; control frames are held in order', (t) => {
  const { sealer, opener } = streams();
  const socket = fakeSocket();
  const batch = new WriteBatch();
  let drains = 0;
  const sender = new FrameSender(socket.conn, sealer, { maxQueuedBytes: 4096, writeBudgetBytes: 0 }, () => drains++, batch);
  socket.full.value = true;
  batch.begin();
  sender.send(Uint8Array.of(16, 1), false);
  sender.send(Uint8Array.of(16, 2), false);
  t.true(sender.writable, 'nothing was written yet');
  batch.end();
  t.false(sender.writable);
  t.is(sender.send(Uint8Array.of(16, 3), false), 'dropped');
  t.is(sender.send(Uint8Array.of(4, 1, 2, 3, 4, 5, 6, 7, 8), true), 'sent', 'a control frame is held');
  t.is(sender.heldBytes, 2 + 16 + 9);
  socket.full.value = false;
  socket.drain();
  t.true(sender.writable);
  t.is(drains, 1);
  t.deepEqual(plains(opener, socket.writes), [[16, 1], [16, 2], [4, 1, 2, 3, 4, 5, 6, 7, 8]]);
  // Held control frames past the bound: overflow.
  socket.full.value = true;
  sender.send(Uint8Array.of(16, 4), false);
  let outcome = 'sent';
  for (let i = 0; i < 1000 && outcome === 'sent'; i++) outcome = sender.send(new Uint8Array(100).fill(5), true);
  t.is(outcome, 'overflow');
});

test('a sender closed inside a batch forgets what it collected', (t) => {
  const { sealer } = streams();
  const socket = fakeSocket();
  const batch = new WriteBatch();
  const sender = new FrameSender(socket.conn, sealer, { maxQueuedBytes: 4096, writeBudgetBytes: 0 }, undefined, batch);
  batch.begin();
  sender.send(Uint8Array.of(16, 1), false);
  sender.close();
  batch.end();
  t.deepEqual(socket.writes, []);
  t.is(sender.send(Uint8Array.of(16, 2), false), 'closed');
});

test('a batch writes early at 64 KiB, so that "send until full" inside a batch ends', (t) => {
  const { sealer } = streams();
  const socket = fakeSocket();
  const batch = new WriteBatch();
  const sender = new FrameSender(socket.conn, sealer, { maxQueuedBytes: 4096, writeBudgetBytes: 0 }, undefined, batch);
  socket.full.value = true;
  batch.begin();
  let sent = 0;
  while (sender.send(new Uint8Array(2000).fill(16), false) === 'sent' && sent < 1000) sent++;
  batch.end();
  t.is(socket.writes.length, 1);
  t.true(sent * 2018 >= BATCH_FLUSH_BYTES && sent * 2018 < BATCH_FLUSH_BYTES + 2018, `${sent} frames`);
  t.is(socket.writes[0]!.length, sent * 2018);
});

test('with a write budget, a socket that says full may take that many more bytes before data is dropped', (t) => {
  const { sealer, opener } = streams();
  const socket = fakeSocket();
  let drains = 0;
  const sender = new FrameSender(socket.conn, sealer, { maxQueuedBytes: 4096, writeBudgetBytes: 1000 }, () => drains++);
  socket.full.value = true;
  t.is(sender.send(new Uint8Array(100).fill(16), false), 'sent', 'the write that says full');
  let sent = 0;
  while (sender.send(new Uint8Array(100).fill(16), false) === 'sent') sent++;
  t.is(sent, Math.floor(1000 / 118), 'then 1000 bytes more, frames of 118 bytes');
  t.false(sender.writable);
  t.is(sender.send(Uint8Array.of(4, 1, 2, 3, 4, 5, 6, 7, 8), true), 'sent');
  t.is(sender.heldBytes, 27, 'past the budget a control frame is held');
  socket.full.value = false;
  socket.drain();
  t.true(sender.writable);
  t.is(drains, 1, 'drain is reported after a refusal');
  t.is(plains(opener, socket.writes).length, 1 + sent + 1);
  // A drain with nothing refused since is not reported.
  socket.full.value = true;
  sender.send(new Uint8Array(100).fill(16), false);
  socket.full.value = false;
  socket.drain();
  t.is(drains, 1);
});
