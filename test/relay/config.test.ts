/** The relay's settings: c-toxcore's timers as defaults, every value checked. */
import test from 'ava';
import {
  RelayError, TCP_CONNECTION_TIMEOUT_MS, TCP_PING_FREQUENCY_MS, TCP_PING_TIMEOUT_MS, defaultRelayClientConfig,
  defaultRelayServerConfig, relayClientConfig, relayServerConfig,
} from '../../src/relay/index.ts';

test('the timers are c-toxcore 0.2.18\'s (TCP_common.h, TCP_client.h)', (t) => {
  t.is(TCP_PING_FREQUENCY_MS, 30_000);
  t.is(TCP_PING_TIMEOUT_MS, 10_000);
  t.is(TCP_CONNECTION_TIMEOUT_MS, 10_000);
  t.is(defaultRelayServerConfig.pingIntervalMs, 30_000);
  t.is(defaultRelayServerConfig.handshakeTimeoutMs, 10_000);
  t.is(defaultRelayServerConfig.maxRoutesPerClient, 240);
  t.is(defaultRelayServerConfig.maxPendingConnections, 256);
  t.is(defaultRelayClientConfig.connectTimeoutMs, 10_000);
});

test('defaults are filled in and the result is frozen', (t) => {
  const c = relayServerConfig({ maxClients: 7 });
  t.is(c.maxClients, 7);
  t.is(c.pingTimeoutMs, 10_000);
  t.true(Object.isFrozen(c));
  t.deepEqual(relayClientConfig(), defaultRelayClientConfig);
});

test('every value out of range is refused, by name', (t) => {
  const bad: Array<[string, () => unknown]> = [
    ['handshakeTimeoutMs', () => relayServerConfig({ handshakeTimeoutMs: 0 })],
    ['pingIntervalMs', () => relayServerConfig({ pingIntervalMs: 1.5 })],
    ['maxClients', () => relayServerConfig({ maxClients: -1 })],
    ['maxPendingConnections', () => relayServerConfig({ maxPendingConnections: Number.NaN })],
    ['maxQueuedBytes', () => relayServerConfig({ maxQueuedBytes: 100 })],
    ['maxRoutesPerClient', () => relayServerConfig({ maxRoutesPerClient: 241 })],
    ['connectTimeoutMs', () => relayClientConfig({ connectTimeoutMs: 2 ** 31 })],
    ['pingTimeoutMs', () => relayClientConfig({ pingTimeoutMs: '10' as unknown as number })],
  ];
  for (const [name, make] of bad) {
    const error = t.throws(make, { instanceOf: RelayError });
    t.is(error?.code, 'bad-config');
    t.true(error?.message.includes(name), error?.message);
  }
});
