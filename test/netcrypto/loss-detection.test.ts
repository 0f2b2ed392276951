/**
 * How the sender tells a lost packet from one still on its way, and what its request packets
 * tell the peer. Over a path that queues (a TCP relay holds packets in socket buffers for
 * milliseconds) a request packet lists packets still in flight; resending those doubled what
 * crossed the relay. A packet asked for is lost when a packet sent after it arrived, or when
 * it is older than a round trip and its variation; and a stuck window is freed by the timeout.
 */
import test from 'ava';
import { netCryptoConfig } from '../../src/netcrypto/config.ts';
import { LosslessSender } from '../../src/netcrypto/lossless-sender.ts';
import { encodeRequestPayload } from '../../src/netcrypto/request-packet.ts';

/** A sender whose emitted packet numbers are recorded, with `count` payloads queued. */
function sender(count: number): { s: LosslessSender; wire: number[] } {
  const wire: number[] = [];
  const s = new LosslessSender(netCryptoConfig(), (p) => wire.push(p.number));
  for (let i = 0; i < count; i++) s.queue(Uint8Array.of(160, i));
  return { s, wire };
}

/** The request payload of a receiver that has the numbers in `have`, of those from `start` to `end`. */
const request = (start: number, end: number, have: readonly number[]): Uint8Array => encodeRequestPayload(start, end, (n) => have.includes(n));

test('a packet asked for is resent at once when one sent after it arrived, not when it may still be on its way', (t) => {
  const { s, wire } = sender(12);
  s.pump(0); // 0–3 (the pacer's first burst)
  s.pump(10); // 4–7
  t.deepEqual(wire, [0, 1, 2, 3, 4, 5, 6, 7]);
  // The receiver has only 5 (sent at 10) and asks for everything else below 8.
  s.onRequest(request(0, 8, [5]), 12);
  s.pump(1000);
  t.deepEqual(wire.slice(8, 12), [0, 1, 2, 3], 'sent before 5: lost; 4, 6 and 7 went with 5 and may be on their way');
  t.is(s.resent, 4);
});

test('a packet asked for with no later one arrived is resent once it is older than the RTT allows', (t) => {
  const { s, wire } = sender(4);
  s.pump(0);
  s.acknowledge(1, 20); // 0 arrived: an RTT sample of 20 ms
  const threshold = s.resendAfterMs;
  t.true(threshold >= 1.25 * s.cc.srttMs && threshold <= 2.25 * s.cc.srttMs);
  s.onRequest(request(1, 4, []), threshold - 1);
  s.pump(threshold - 1);
  t.deepEqual(wire, [0, 1, 2, 3], 'not yet: 1–3 may be queued on the path');
  s.onRequest(request(1, 4, []), threshold + 1);
  s.pump(threshold + 1);
  t.deepEqual(wire.slice(4), [1, 2, 3]);
  // Asked again before the resends could arrive: not sent a third time.
  s.onRequest(request(1, 4, []), threshold + 2);
  s.pump(threshold + 2);
  t.is(wire.length, 7);
});

test('request packets say where the numbers sent end, not the queue: one past the first unsent', (t) => {
  const { s } = sender(100);
  t.is(s.numbersEnd, 1, 'nothing sent: 0 is the first unsent');
  s.pump(0);
  t.is(s.buffer.end, 100);
  t.is(s.numbersEnd, 5, '0–3 sent');
  for (let at = 10; at < 10_000 && s.unsent > 0; at += 10) {
    s.acknowledge(s.buffer.nextToSend, at);
    s.pump(at);
  }
  t.is(s.unsent, 0);
  t.is(s.numbersEnd, 100, 'all sent: the buffer end');
});

test('a timeout sends the first unacknowledged packet even when the window is full', (t) => {
  const { s, wire } = sender(40);
  for (let at = 0; at <= 1000 && s.unsent > 0; at += 5) s.pump(at);
  const window = s.cc.window;
  t.is(s.inFlight, window, 'the window is full');
  const before = wire.length;
  t.true(s.onTimeout(2000));
  t.is(wire.length, before + 1);
  t.is(wire[wire.length - 1], 0);
  // 1–30 arrived: the window opens, and 0 (on its way again) is not sent a third time.
  s.onRequest(request(0, window, Array.from({ length: 30 }, (_, i) => i + 1)), 2001);
  s.pump(2010);
  t.true(wire.length > before + 1, 'new packets went out');
  t.is(wire.filter((n) => n === 0).length, 2);
});
