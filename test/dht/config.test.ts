import test from 'ava';
import * as c from '../../src/dht/config.ts';
import { ConfigError, DhtError } from '../../src/dht/errors.ts';

test('the constants are c-toxcore 0.2.18\'s, in ms', (t) => {
  t.is(c.PING_INTERVAL_MS, 60_000);
  t.is(c.GET_NODE_INTERVAL_MS, 20_000);
  t.is(c.MAX_BOOTSTRAP_TIMES, 5);
  t.is(c.PING_TIMEOUT_MS, 5_000);
  t.is(c.BAD_NODE_TIMEOUT_MS, 122_000);
  t.is(c.KILL_NODE_TIMEOUT_MS, 182_000);
  t.is(c.TIME_TO_PING_MS, 2_000);
  t.is(c.MAX_TO_PING, 32);
  t.is(c.KEYS_TIMEOUT_MS, 600_000);
  t.is(c.SHARED_KEYS_CAPACITY, 1024);
  t.is(c.LCLIENT_LENGTH, 128);
  t.is(c.LCLIENT_NODES, 8);
  t.is(c.LCLIENT_LIST, 1024);
  t.is(c.MAX_FRIEND_CLIENTS, 8);
  t.is(c.MAX_CLOSE_TO_BOOTSTRAP_NODES, 8);
  t.is(c.DHT_FAKE_FRIEND_NUMBER, 2);
  t.is(c.DHT_FRIEND_MAX_LOCKS, 32);
  t.is(c.DHT_PING_ARRAY_SIZE, 512);
  t.is(c.PING_NUM_MAX, 512);
  t.is(c.PUNCH_INTERVAL_MS, 3_000);
  t.is(c.PUNCH_RESET_TIME_MS, 40_000);
  t.is(c.MAX_PUNCHING_PORTS, 48);
  t.is(c.MAX_NORMAL_PUNCHING_TRIES, 5);
  t.is(c.PUNCH_MIN_REPORTS, 4);
  t.is(c.PUNCH_RECV_WINDOW_MS, 6_000);
  t.is(c.LAN_DISCOVERY_INTERVAL_MS, 10_000);
  t.is(c.PORTS_PER_DISCOVERY, 10);
  t.is(c.DHT_TICK_MS, 1_000);
});

test('the default configuration passes its own check and cannot be changed', (t) => {
  t.notThrows(() => c.verifyDhtConfig({ ...c.defaultDhtConfig }));
  t.true(Object.isFrozen(c.defaultDhtConfig));
  const cfg = c.dhtConfig({ pingTimeoutMs: 1000 });
  t.is(cfg.pingTimeoutMs, 1000);
  t.is(cfg.badNodeTimeoutMs, c.BAD_NODE_TIMEOUT_MS);
  const same = { ...c.defaultDhtConfig };
  t.is(c.verifyDhtConfig(same), same, 'verify returns what it was given');
});

const bad: Array<[Partial<c.DhtConfig>, string, RegExp]> = [
  [{ pingTimeoutMs: 0 }, 'pingTimeoutMs', /integer in \[1, 2147483647\] ms, got 0/],
  [{ tickMs: 1.5 }, 'tickMs', /got 1\.5/],
  [{ killNodeTimeoutMs: 122_000 }, 'killNodeTimeoutMs', /must exceed badNodeTimeoutMs/],
  [{ badNodeTimeoutMs: 60_000 }, 'badNodeTimeoutMs', /between two pings/],
  [{ maxSentNodes: 5 }, 'maxSentNodes', /c-toxcore drops/],
  [{ closeListBuckets: 300 }, 'closeListBuckets', /\[1, 256\]/],
  [{ fakeFriendNumber: 4, maxFriends: 4 }, 'fakeFriendNumber', /below maxFriends/],
  [{ holePunching: 'yes' as unknown as boolean }, 'holePunching', /true or false/],
  [{ requestsPerSecondPerSource: -1 }, 'requestsPerSecondPerSource', /> 0/],
  [{ rateLimitSources: 0 }, 'rateLimitSources', /got 0/],
  [{ sharedKeyTimeoutMs: Number.NaN }, 'sharedKeyTimeoutMs', /got NaN/],
];

test('each bad value is a ConfigError naming the field', (t) => {
  for (const [override, field, message] of bad) {
    const err = t.throws(() => c.dhtConfig(override), { instanceOf: ConfigError, message }, field);
    t.is((err as ConfigError).field, field);
    t.is((err as ConfigError).code, 'bad-config');
    t.true(err instanceof DhtError);
    t.true(err!.message.startsWith(field), err!.message);
  }
});
