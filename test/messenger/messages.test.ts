/**
 * What two online Messengers say to each other, on a simulated network: messages and
 * actions in order with read receipts, names, status messages, user status and typing as
 * they change, custom lossless and lossy packets with their id ranges and backpressure, and
 * the errors of sending. The onion is the friend harness's FakeOnion (an in-test
 * directory). Simulated time only.
 */
import test from 'ava';
import { MessengerError } from '../../src/messenger/index.ts';
import { messengerPeer, onlinePair, world } from './harness.ts';

const code = (e: unknown): string | undefined => (e instanceof MessengerError ? e.code : undefined);

test('100 messages each way arrive in order, and each sender gets every read receipt, in order', async (t) => {
  const { w, a, b, aOfB, bOfA } = await onlinePair();
  const aIds: number[] = [];
  const bIds: number[] = [];
  for (let i = 0; i < 100; i++) {
    aIds.push(a.m.sendMessage(aOfB, `a→b ${i}`));
    bIds.push(b.m.sendMessage(bOfA, `b→a ${i}`, i % 10 === 9 ? 'action' : 'normal'));
  }
  t.deepEqual(aIds, Array.from({ length: 100 }, (_, i) => i + 1), 'ids count from 1');
  await w.until(() => a.of('read-receipt').length === 100 && b.of('read-receipt').length === 100, 10_000, 10);
  t.deepEqual(b.of('friend-message').map((m) => m.text), Array.from({ length: 100 }, (_, i) => `a→b ${i}`));
  t.deepEqual(a.of('friend-message').map((m) => m.text), Array.from({ length: 100 }, (_, i) => `b→a ${i}`));
  t.deepEqual(a.of('friend-message').map((m) => m.type).filter((x) => x === 'action').length, 10);
  t.deepEqual(a.of('read-receipt').map((r) => r.messageId), aIds);
  t.deepEqual(b.of('read-receipt').map((r) => r.messageId), bIds);
  t.true(a.of('read-receipt').every((r) => r.friendNumber === aOfB));
  t.is(a.m.friend(aOfB).pendingReceipts, 0);
  t.is(a.m.stats.messagesSent, 100);
  t.is(b.m.stats.messagesReceived, 100);
  t.is(a.m.stats.receiptsDelivered, 100);
  // A receipt comes after the message arrived, never before.
  const firstMessageAt = b.events.find((e) => e.type === 'friend-message')!.at;
  const firstReceiptAt = a.events.find((e) => e.type === 'read-receipt')!.at;
  t.true(firstReceiptAt >= firstMessageAt);
  t.deepEqual([...a.allErrors(), ...b.allErrors()], []);
});

test('a message of 1372 bytes goes, 1373 is too long; an empty one is refused; to an offline friend: not connected', async (t) => {
  const { w, a, b, aOfB } = await onlinePair();
  const big = new Uint8Array(1372).fill(0x61);
  a.m.sendMessage(aOfB, big);
  await w.advance(200);
  t.is(b.of('friend-message')[0]!.message.length, 1372);
  t.is(code(t.throws(() => a.m.sendMessage(aOfB, new Uint8Array(1373)))), 'too-long');
  t.is(code(t.throws(() => a.m.sendMessage(aOfB, ''))), 'empty');
  t.is(code(t.throws(() => a.m.sendMessage(aOfB, 'x', 'shout' as 'normal'))), 'bad-value');
  t.is(code(t.throws(() => a.m.sendMessage(42, 'x'))), 'friend-not-found');
  t.is(code(t.throws(() => a.m.sendMessage(aOfB, 7 as unknown as string))), 'null');
  await b.quit();
  await w.until(() => !a.sees(b), 5_000, 10);
  t.is(code(t.throws(() => a.m.sendMessage(aOfB, 'anyone?'))), 'friend-not-connected');
  t.is(code(t.throws(() => a.m.sendCustomLossless(aOfB, Uint8Array.of(160)))), 'friend-not-connected');
  t.is(code(await t.throwsAsync(a.m.whenWritable(aOfB))), 'friend-not-connected');
});

test('receipts of messages still in flight when the friend goes offline are lost, as in c-toxcore', async (t) => {
  const { w, a, b, aOfB } = await onlinePair();
  w.setUdp(a, b, false); // nothing gets through any more
  const id = a.m.sendMessage(aOfB, 'into the void');
  await w.advance(1_000);
  t.is(a.m.friend(aOfB).pendingReceipts, 1);
  await w.until(() => !a.sees(b), 40_000);
  t.is(a.m.friend(aOfB).pendingReceipts, 0, 'cleared when the friend went offline');
  t.false(a.of('read-receipt').some((r) => r.messageId === id));
});

test('at most maxPendingReceipts messages await a receipt: the next one is sendq', async (t) => {
  const { w, a, aOfB } = await onlinePair({ a: { messenger: { maxPendingReceipts: 5 } } });
  for (let i = 0; i < 5; i++) a.m.sendMessage(aOfB, `m${i}`);
  t.is(code(t.throws(() => a.m.sendMessage(aOfB, 'one too many'))), 'sendq');
  await w.until(() => a.of('read-receipt').length === 5, 5_000, 10);
  t.is(a.m.sendMessage(aOfB, 'room again'), 6);
});

test('name, status message, user status and typing reach an online friend as they change, and a friend that comes online later', async (t) => {
  const { w, a, b, aOfB, bOfA } = await onlinePair();
  const before = b.of('friend-name').length;
  a.m.setName('Alice Liddell');
  a.m.setName('Alice Liddell'); // unchanged: nothing sent
  a.m.setStatusMessage('down the rabbit hole');
  a.m.setStatus(2);
  a.m.setTyping(aOfB, true);
  await w.advance(200);
  t.deepEqual(b.of('friend-name').slice(before).map((e) => e.text), ['Alice Liddell']);
  t.is(b.of('friend-status-message').at(-1)!.text, 'down the rabbit hole');
  t.is(b.of('friend-status').at(-1)!.userStatus, 2);
  t.true(b.of('friend-typing').at(-1)!.typing);
  const f = b.m.friend(bOfA);
  t.is(new TextDecoder().decode(f.name), 'Alice Liddell');
  t.is(f.userStatus, 2);
  t.true(f.typing);
  a.m.setTyping(aOfB, false);
  await w.advance(200);
  t.false(b.m.friend(bOfA).typing);
  // Limits.
  t.is(code(t.throws(() => a.m.setName(new Uint8Array(129)))), 'too-long');
  t.is(code(t.throws(() => a.m.setStatusMessage(new Uint8Array(1008)))), 'too-long');
  t.is(code(t.throws(() => a.m.setStatus(3 as 0))), 'bad-value');
  t.is(code(t.throws(() => a.m.setNospam(-1))), 'bad-value');
  a.m.setName(new Uint8Array(128).fill(0x41));
  // A third peer befriended later hears the current values when it comes online.
  const c = await messengerPeer(w, { name: 'c' });
  a.m.addFriendNoRequest(c.real.publicKey);
  const cOfA = c.m.addFriendNoRequest(a.real.publicKey);
  await w.until(() => c.sees(a), 60_000);
  await w.advance(200);
  t.is(c.m.friend(cOfA).name.length, 128);
  t.is(new TextDecoder().decode(c.m.friend(cOfA).statusMessage), 'down the rabbit hole');
  t.is(c.m.friend(cOfA).userStatus, 2);
  t.false(c.m.friend(cOfA).typing, 'typing is per friend: a types to b only');
  t.deepEqual([...a.allErrors(), ...b.allErrors(), ...c.allErrors()], []);
});

test('custom lossless (160–191) and lossy (200–254) packets, ids enforced, and nothing else passes as custom', async (t) => {
  const { w, a, b, aOfB, bOfA } = await onlinePair();
  const lossless = [Uint8Array.of(160), Uint8Array.of(175, 1, 2, 3), new Uint8Array(1373).fill(191)];
  for (const p of lossless) t.true(a.m.sendCustomLossless(aOfB, p));
  t.true(a.m.sendCustomLossy(aOfB, Uint8Array.of(200, 9)));
  t.true(a.m.sendCustomLossy(aOfB, Uint8Array.of(254)));
  await w.advance(200);
  t.deepEqual(b.of('custom-lossless').map((p) => [p.id, p.data.length, p.friendNumber]), [[160, 1, bOfA], [175, 4, bOfA], [191, 1373, bOfA]]);
  t.deepEqual([...b.of('custom-lossless')[1]!.data], [175, 1, 2, 3]);
  t.deepEqual(b.of('custom-lossy').map((p) => [...p.data]), [[200, 9], [254]]);
  for (const id of [0, 24, 64, 159, 192, 200]) {
    t.is(code(t.throws(() => a.m.sendCustomLossless(aOfB, Uint8Array.of(id)))), 'bad-packet-id', `lossless ${id}`);
  }
  for (const id of [191, 192, 199, 255]) {
    t.is(code(t.throws(() => a.m.sendCustomLossy(aOfB, Uint8Array.of(id)))), 'bad-packet-id', `lossy ${id}`);
  }
  t.is(code(t.throws(() => a.m.sendCustomLossless(aOfB, new Uint8Array(1374).fill(160)))), 'too-long');
  t.is(code(t.throws(() => a.m.sendCustomLossy(aOfB, new Uint8Array(0)))), 'empty');
  t.is(a.m.stats.customLosslessSent, 3);
  t.is(b.m.stats.customLossyReceived, 2);
});

test('backpressure: sendCustomLossless says false at the high-water mark, whenWritable waits for the drain, sendq when full', async (t) => {
  const { w, a, b, aOfB } = await onlinePair();
  let sent = 0;
  while (a.m.sendCustomLossless(aOfB, Uint8Array.of(170, sent & 0xff, sent >> 8)) && sent < 100_000) sent++;
  sent++; // the one that said false is queued too
  t.true(sent > 1 && sent < 100_000, `${sent} packets before the high-water mark`);
  let drained = false;
  const writable = a.m.whenWritable(aOfB).then(() => { drained = true; });
  await w.advance(1);
  t.false(drained);
  await w.until(() => drained, 30_000, 10);
  await writable;
  t.true(drained);
  await w.until(() => b.of('custom-lossless').length === sent, 30_000, 10);
  const got = b.of('custom-lossless').map((p) => p.data[1]! | (p.data[2]! << 8));
  t.deepEqual(got, Array.from({ length: sent }, (_, i) => i), 'in order, none lost');
  // Past the queue's bound: sendq, a typed error.
  let error: unknown;
  for (let i = 0; i < 20_000 && error === undefined; i++) {
    try {
      a.m.sendCustomLossless(aOfB, Uint8Array.of(171));
    } catch (e) {
      error = e;
    }
  }
  t.is(code(error), 'sendq');
  const ac = new AbortController();
  const waiting = a.m.whenWritable(aOfB, { signal: ac.signal });
  ac.abort();
  t.is(code(await t.throwsAsync(waiting)), 'aborted');
  t.deepEqual([...a.allErrors(), ...b.allErrors()], []);
});

test('a friend\'s name and status are kept while it is offline, and typing is sent again when it returns', async (t) => {
  const w = await world();
  const a = await messengerPeer(w, { name: 'a' });
  const b = await messengerPeer(w, { name: 'b' });
  b.m.setName('Bob');
  const aOfB = a.m.addFriendNoRequest(b.real.publicKey);
  a.m.setTyping(aOfB, true); // said while b is offline: sent when it comes online
  const bOfA = b.m.addFriendNoRequest(a.real.publicKey);
  await w.until(() => a.sees(b) && b.sees(a), 60_000);
  await w.advance(200);
  t.true(b.m.friend(bOfA).typing);
  await b.quit();
  await w.until(() => !a.sees(b), 5_000, 10);
  t.is(new TextDecoder().decode(a.m.friend(aOfB).name), 'Bob');
  t.is(a.m.friend(aOfB).connection, 'none');
});
