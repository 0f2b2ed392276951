/**
 * The congestion window where the idle RTT says little: over a TCP relay (event loops that
 * handle what arrived in batches), and in startup on loopback (where slow start alone took
 * the window to its cap and put it in one burst into the receiver's socket buffer).
 */
import test from 'ava';
import { CongestionControl, RELAY_BATCH_MS, STARTUP_WINDOW_SHARE } from '../../src/netcrypto/congestion.ts';

const settings = { initialWindowPackets: 32, ackAllowancePackets: 64, minWindowPackets: 8, maxWindowPackets: 2048, initialRttMs: 100, maxPacketsPerMs: 200 };

test('over a TCP relay the window holds several milliseconds of the bandwidth, however short the idle RTT', (t) => {
  const udp = new CongestionControl(settings);
  const relay = new CongestionControl(settings);
  relay.relayPath = true;
  // 40 packets per ms delivered, 0.1 ms RTT: loopback through a relay, idle.
  for (const cc of [udp, relay]) {
    for (let i = 1; i < 4000; i++) {
      const now = i / 40;
      cc.onDelivered(now, {
        deliveredAtSend: i - 4, deliveredTimeAtSend: now - 0.1, firstSentTimeAtSend: now - 0.2, sentAt: now - 0.1,
        appLimited: false, resent: false,
      }, 4);
    }
  }
  t.true(udp.bandwidth > 30 && relay.bandwidth > 30);
  t.true(udp.window < 100, `rate × RTT plus the ack allowance: ${udp.window}`);
  t.true(relay.window >= relay.bandwidth * RELAY_BATCH_MS, `${relay.window}`);
});

/** One long startup round: `count` packets delivered at `rate` per ms, each `rttMs` after its send. */
function startupRound(rate: number, rttMs: number, count: number): CongestionControl {
  const cc = new CongestionControl(settings);
  for (let i = 1; i <= count; i++) {
    const now = rttMs + i / rate;
    cc.onDelivered(now, { deliveredAtSend: 0, deliveredTimeAtSend: 0, firstSentTimeAtSend: 0, sentAt: now - rttMs, appLimited: false, resent: false }, 0);
  }
  return cc;
}

test('in startup the window doubles with what was delivered, up to half the largest window (loopback)', (t) => {
  const early = startupRound(40, 0.1, 500);
  t.is(early.phase, 'startup');
  t.is(early.window, settings.initialWindowPackets + 500, 'slow start');
  const late = startupRound(40, 0.1, 3000);
  t.is(late.phase, 'startup');
  t.is(late.window, settings.maxWindowPackets * STARTUP_WINDOW_SHARE, 'not 32 + 3000, nor the cap of 2048');
});

test('the model may still take the window to the cap where rate × RTT asks for it (a 100 ms path)', (t) => {
  const cc = startupRound(40, 100, 3000);
  t.is(cc.window, settings.maxWindowPackets);
});

test('probe-rtt ends on time when the sender is about to send, even with nothing acknowledged meanwhile', (t) => {
  const cc = new CongestionControl(settings);
  // A steady 10 packets per ms at a 1 ms RTT: startup finds no more, drains, probes.
  let now = 0;
  for (let i = 1; i < 2000; i++) {
    now = 1 + i / 10;
    cc.onDelivered(now, { deliveredAtSend: i - 10, deliveredTimeAtSend: now - 1, firstSentTimeAtSend: now - 2, sentAt: now - 1, appLimited: false, resent: false }, 10);
  }
  t.is(cc.phase, 'probe');
  // 10 s on, a longer RTT: the minimum is stale, so probe-rtt.
  now += 10_001;
  cc.onRtt(now, 5);
  t.is(cc.phase, 'probe-rtt');
  t.is(cc.window, 4);
  // Every packet of probe-rtt is lost: no acknowledgement ever comes.
  cc.onSend(now, 4);
  cc.onSend(now + 100, 4);
  t.is(cc.phase, 'probe-rtt');
  cc.onSend(now + 201, 4);
  t.is(cc.phase, 'probe');
  t.true(cc.window > 4);
});
