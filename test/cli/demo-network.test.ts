/**
 * The demo's local network on the simulator: two peers befriend each other through its
 * bootstrap node, and once everything is closed no timer is left on the clock (a timer left
 * behind keeps a real process alive: `toxlink demo` would not exit).
 */
import test from 'ava';
import { startDemoNetwork } from '../../src/cli/demo-network.ts';
import type { SimClock } from '../../src/io/index.ts';

test('two peers befriend each other through the bootstrap node; after close no timer is left', async (t) => {
  const net = await startDemoNetwork({ kind: 'sim', seed: 5 });
  const alice = await net.peer('Alice');
  const bob = await net.peer('Bob');
  bob.messenger.on('friend-request', (r) => bob.messenger.acceptRequest(r.publicKey));
  const toBob = alice.messenger.addFriend(bob.messenger.toxId(), 'hi');
  t.is(await net.wait(alice.messenger.waitOnline(toBob, { timeoutMs: 60_000 }), 60_000, 'coming online'), 'udp');
  await net.wait(bob.messenger.waitOnline(alice.node.realKeyPair.publicKey, { timeoutMs: 10_000 }), 10_000, 'bob seeing alice');
  const clock = net.clock as SimClock;
  t.true(clock.pending > 0);
  await net.close();
  await net.close();
  clock.advance(1_000); // the simulator's own deliveries in flight (TCP closes reaching the far end)
  t.is(clock.pending, 0, 'every part cancelled its timers');
});

test('a step that takes too long is a DemoTimeout naming it', async (t) => {
  const net = await startDemoNetwork({ kind: 'sim', seed: 6 });
  t.teardown(() => net.close());
  const never = new Promise<never>(() => {});
  const error = await t.throwsAsync(net.wait(never, 5_000, 'waiting for nothing'));
  t.is(error?.name, 'DemoTimeout');
  t.is(error?.message, 'waiting for nothing took longer than 5 s');
  t.true(net.clock.now() >= 5_000 && net.clock.now() < 6_000, 'simulated time moved 5 s, not more');
});
