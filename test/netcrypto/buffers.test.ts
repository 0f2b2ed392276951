/**
 * The send and receive rings start at 64 slots and double as the span grows (an idle session
 * must not hold 2 × 8192 slots). These check that growing never loses, moves or aliases a
 * packet: numbers wrap past 2^32, arrive in random order, and the ring grows mid-stream.
 */
import test from 'ava';
import { Prng } from '../../src/io/index.ts';
import { ReceiveBuffer } from '../../src/netcrypto/receive-buffer.ts';
import { SendBuffer } from '../../src/netcrypto/send-buffer.ts';

const payload = (n: number): Uint8Array => new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24]);
const numberOf = (p: Uint8Array): number => (p[0]! | (p[1]! << 8) | (p[2]! << 16) | (p[3]! << 24)) >>> 0;

test('a receive ring that grows while packets arrive out of order hands every one up once, in order, across the 2^32 wrap', (t) => {
  const prng = new Prng('receive-ring');
  const buffer = new ReceiveBuffer(8192);
  const first = 0xffffffff - 3000;
  buffer.start = first;
  buffer.end = first;
  let next = first;
  let delivered = 0;
  for (let round = 0; round < 6; round++) {
    // A window's worth of numbers from the current start, stored in random order (some twice).
    const span = [64, 200, 1500, 8192, 5000, 8192][round]!;
    const numbers = Array.from({ length: span }, (_, k) => (buffer.start + k) >>> 0);
    for (let k = numbers.length - 1; k > 0; k--) {
      const j = prng.nextInt(0, k + 1);
      [numbers[k], numbers[j]] = [numbers[j]!, numbers[k]!];
    }
    for (const n of numbers) {
      t.is(buffer.store(n, payload(n)), undefined);
      if (prng.nextInt(0, 10) === 0) t.is(buffer.store(n, payload(n)), 'duplicate');
    }
    t.is(buffer.store((buffer.start + 8192) >>> 0, payload(0)), 'out-of-window');
    t.is(buffer.missing, 0);
    for (let p = buffer.shift(); p !== undefined; p = buffer.shift()) {
      t.is(numberOf(p), next);
      next = (next + 1) >>> 0;
      delivered++;
    }
  }
  t.is(delivered, 64 + 200 + 1500 + 8192 + 5000 + 8192);
  t.is(buffer.held, 0);
});

test('has() is false beyond a small ring even when the end was extended past it (no aliasing)', (t) => {
  const buffer = new ReceiveBuffer(8192);
  t.is(buffer.store(3, payload(3)), undefined);
  t.true(buffer.extendTo(5000));
  t.true(buffer.has(3));
  t.false(buffer.has(3 + 64), 'a number 64 further would share the small ring\'s slot');
  t.false(buffer.has(4099));
  t.is(buffer.missing, 4999);
  t.is(buffer.store(4099, payload(4099)), undefined);
  t.true(buffer.has(4099));
  t.true(buffer.has(3));
  t.false(buffer.has(4));
});

test('a send ring that grows mid-stream keeps every packet at its number, across the 2^32 wrap', (t) => {
  const buffer = new SendBuffer(8192);
  const first = 0xffffffff - 100;
  buffer.start = first;
  buffer.end = first;
  buffer.nextToSend = first;
  for (let k = 0; k < 8192; k++) buffer.push(payload((first + k) >>> 0));
  t.is(buffer.length, 8192);
  for (const k of [0, 1, 63, 64, 100, 101, 4095, 8191]) t.is(numberOf(buffer.get((first + k) >>> 0)!.payload), (first + k) >>> 0);
  // Acknowledge half, take some out of order, and push again into the freed room.
  const freed: number[] = [];
  buffer.acknowledge((first + 4096) >>> 0, (p) => freed.push(p.number));
  t.is(freed.length, 4096);
  t.is(numberOf(buffer.take((first + 5000) >>> 0)!.payload), (first + 5000) >>> 0);
  for (let k = 0; k < 4096; k++) buffer.push(payload((first + 8192 + k) >>> 0));
  t.is(buffer.length, 8192);
  t.is(buffer.get((first + 5000) >>> 0), undefined);
  for (const k of [4096, 4999, 5001, 8191, 8192, 12287]) t.is(numberOf(buffer.get((first + k) >>> 0)!.payload), (first + k) >>> 0);
  let sent = 0;
  for (let p = buffer.nextUnsent(); p !== undefined; p = buffer.nextUnsent()) sent++;
  t.is(sent, 8192 - 1, 'every held packet once, the taken one skipped');
});
