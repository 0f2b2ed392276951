// What an exposer refuses and what fails on the way: names it does not serve (or not to
// this friend), names that are not names, a target that is not there or too slow, and the
// tunnel limits of both sides. Each failure reaches the local client as a TCP reset and
// the forward's 'tunnel-closed' event as a typed reason.
import test from 'ava';
import { createServer, type AddressInfo } from 'node:net';
import { generateKeyPair } from '../../src/crypto/index.ts';
import type { Clock } from '../../src/io/index.ts';
import { Exposer, ForwardError, PortForward, isForwardError } from '../../src/mux/index.ts';
import { isMuxError } from '../../src/mux/index.ts';
import { LOCAL, readAll, within } from './helpers.ts';
import { forwardSetup } from './setup.ts';

/** A loopback port that nothing listens on (bound, then freed). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: LOCAL, port: 0 }, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('a name the friend does not expose is declined as unknown-service; the local client is reset', async (t) => {
  const s = await forwardSetup(t, {
    service: 'nope',
    services: async (h) => [{ name: 'web', target: `127.0.0.1:${(await h.echo()).port}` }],
  });
  const client = await s.handles.client(s.port);
  const got = await within(readAll(client), 20_000, 'the client to be reset');
  t.is(got.how, 'ECONNRESET');
  t.is(got.bytes, 0);
  const closed = await s.forwardClosed.until();
  t.is(closed.reason.code, 'declined');
  t.is(closed.reason.remoteCode, 'unknown-service');
  t.regex(closed.reason.remoteReason ?? '', /^unknown-service: no service "nope"/);
  t.true(isMuxError(closed.reason.cause, 'declined'));
  const refused = await s.refused.until();
  t.is(refused.code, 'unknown-service');
  t.is(refused.uri, 'tcp://nope');
  t.is(s.exposerOpened.items.length, 0);
  t.deepEqual(s.exposer.tunnels(), []);
});

test('a service listed for other friends only is unknown-service to this one; one listed for it works', async (t) => {
  const stranger = generateKeyPair().publicKey;
  let aliceKey: Uint8Array | undefined;
  const s = await forwardSetup(t, {
    service: 'private',
    services: async (h) => {
      const { port } = await h.echo();
      return [{ name: 'private', target: `127.0.0.1:${port}`, friends: [stranger] }];
    },
  });
  aliceKey = s.alice.key;
  const client = await s.handles.client(s.port);
  t.is((await within(readAll(client), 20_000, 'the reset')).how, 'ECONNRESET');
  const closed = await s.forwardClosed.until();
  t.is(closed.reason.remoteCode, 'unknown-service', 'the friend cannot tell a hidden service from a missing one');

  // The same target, listed for Alice.
  const target = s.exposer.services()[0]!.target;
  s.exposer.expose({ name: 'mine', target, friends: [stranger, aliceKey] });
  const forward = new PortForward({ manager: s.alice.manager, friendKey: s.bob.key, service: 'mine', clock: s.alice.clock });
  t.teardown(() => forward.close());
  const { port } = await forward.listen();
  const second = await s.handles.client(port);
  const got = readAll(second);
  second.end('echo me');
  const echoed = await within(got, 20_000, 'the echo');
  t.is(echoed.how, 'end');
  t.is(echoed.bytes, 7);
});

test('a tcp:// name that is not a service name is declined as bad-uri; other schemes are declined unless delegated', async (t) => {
  const s = await forwardSetup(t, {
    service: 'web',
    services: async (h) => [{ name: 'web', target: `127.0.0.1:${(await h.echo()).port}` }],
  });
  const bad = await t.throwsAsync(s.alice.manager.connectDevice(s.bob.key, 'tcp://not a name', { timeoutMs: 20_000 }));
  t.true(isMuxError(bad, 'declined'));
  t.regex((bad as { remoteReason?: string }).remoteReason ?? '', /^bad-uri: /);
  t.is((await s.refused.until()).code, 'bad-uri');
  const other = await t.throwsAsync(s.alice.manager.connectDevice(s.bob.key, 'file://x', { timeoutMs: 20_000 }));
  t.true(isMuxError(other, 'declined'));
  t.is((other as { remoteReason?: string }).remoteReason, 'refused');
  t.is(s.refused.items.length, 1, 'a name of another scheme is not the exposer\'s to refuse');
});

test('an exposer hands names of other schemes to otherRequests', async (t) => {
  const s = await forwardSetup(t, { service: 'web', services: async () => [] });
  await s.exposer.close();
  const seen: string[] = [];
  const exposer = new Exposer({
    manager: s.bob.manager, clock: s.bob.clock,
    otherRequests: ({ uri }) => {
      seen.push(uri);
      return uri === 'chat://room' ? true : { reason: 'no such room' };
    },
  });
  t.teardown(() => exposer.close());
  const offChannel = s.bob.manager.on('channel', (socket) => {
    if (socket.uri === 'chat://room') socket.end('welcome');
  });
  t.teardown(offChannel);
  const socket = await s.alice.manager.connectDevice(s.bob.key, 'chat://room', { timeoutMs: 20_000 });
  socket.on('error', () => {});
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await within(new Promise((resolve) => socket.once('end', resolve)), 20_000, 'the chat channel to end');
  socket.end();
  t.is(Buffer.concat(chunks).toString(), 'welcome');
  const refused = await t.throwsAsync(s.alice.manager.connectDevice(s.bob.key, 'chat://elsewhere', { timeoutMs: 20_000 }));
  t.is((refused as { remoteReason?: string }).remoteReason, 'no such room');
  t.deepEqual(seen, ['chat://room', 'chat://elsewhere']);
});

test('a target that refuses the connection resets the channel with connect-failed; the local client is reset', async (t) => {
  const dead = await freePort();
  const s = await forwardSetup(t, { service: 'dead', services: async () => [{ name: 'dead', target: `127.0.0.1:${dead}` }] });
  const client = await s.handles.client(s.port);
  client.write('anyone there?');
  const got = await within(readAll(client), 20_000, 'the client to be reset');
  t.is(got.how, 'ECONNRESET');
  const closed = await s.forwardClosed.until();
  t.is(closed.reason.code, 'remote-reset');
  t.is(closed.reason.remoteCode, 'connect-failed');
  t.is(closed.reason.remoteReason, 'connect-failed: ECONNREFUSED', 'the friend learns the error code, not the address');
  const there = await s.exposerClosed.until();
  t.is(there.reason.code, 'connect-failed');
  t.is(s.exposerOpened.items.length, 0, 'the tunnel never joined');
});

test('a target slower than connectTimeoutMs resets the channel with connect-timeout', async (t) => {
  const s = await forwardSetup(t, { service: 'slow', services: async () => [] });
  await s.exposer.close();
  // A clock whose timers fire before any I/O can: the connect cannot win the race.
  const hasty: Clock = {
    now: () => performance.now(),
    setTimer: (_ms, fn) => {
      let live = true;
      queueMicrotask(() => { if (live) fn(); });
      return { cancel: () => { live = false; } };
    },
  };
  const { port } = await s.handles.echo();
  const exposer = new Exposer({ manager: s.bob.manager, clock: hasty, services: [{ name: 'slow', target: { host: LOCAL, port } }] });
  t.teardown(() => exposer.close());
  const closedThere = new Promise<string>((resolve) => exposer.on('tunnel-closed', (c) => resolve(c.reason.code)));
  const client = await s.handles.client(s.port);
  const got = await within(readAll(client), 20_000, 'the client to be reset');
  t.is(got.how, 'ECONNRESET');
  const closed = await s.forwardClosed.until();
  t.is(closed.reason.remoteCode, 'connect-timeout');
  t.is(await closedThere, 'connect-failed');
});

test('over maxTunnels a forward resets the local connection with too-many-tunnels; the open tunnel goes on', async (t) => {
  const s = await forwardSetup(t, {
    service: 'echo', forwardConfig: { maxTunnels: 1 },
    services: async (h) => [{ name: 'echo', target: `127.0.0.1:${(await h.echo()).port}` }],
  });
  const first = await s.handles.client(s.port);
  const firstGot = readAll(first);
  first.write('one');
  await s.forwardOpened.until();
  const second = s.handles.dial(s.port);
  t.is((await within(readAll(second), 20_000, 'the second client to be reset')).how, 'ECONNRESET');
  const closed = await s.forwardClosed.until();
  t.is(closed.tunnel.id, 2);
  t.is(closed.reason.code, 'too-many-tunnels');
  t.true(isForwardError(closed.reason.cause, 'too-many-tunnels'));
  first.end('two');
  const echoed = await within(firstGot, 20_000, 'the first tunnel to finish');
  t.is(echoed.how, 'end');
  t.is(echoed.bytes, 6);
});

test('over its maxTunnels an exposer declines with too-many-tunnels', async (t) => {
  const s = await forwardSetup(t, {
    service: 'echo', exposerConfig: { maxTunnels: 1 },
    services: async (h) => [{ name: 'echo', target: `127.0.0.1:${(await h.echo()).port}` }],
  });
  const first = await s.handles.client(s.port);
  const firstGot = readAll(first);
  first.write('one');
  await s.exposerOpened.until();
  const second = await s.handles.client(s.port);
  t.is((await within(readAll(second), 20_000, 'the second client to be reset')).how, 'ECONNRESET');
  const closed = await s.forwardClosed.until();
  t.is(closed.reason.code, 'declined');
  t.is(closed.reason.remoteCode, 'too-many-tunnels');
  first.end();
  t.is((await within(firstGot, 20_000, 'the first tunnel to finish')).bytes, 3);
});

test('listening on a port in use fails with listen-failed; bad arguments are typed errors', async (t) => {
  const s = await forwardSetup(t, { service: 'web', services: async () => [] });
  const clash = new PortForward({ manager: s.alice.manager, friendKey: s.bob.key, service: 'web', port: s.port });
  const error = await t.throwsAsync(clash.listen());
  t.true(isForwardError(error, 'listen-failed'), String(error));
  t.regex((error as Error).message, /EADDRINUSE/);
  await clash.close();
  t.true(isForwardError(await t.throwsAsync(clash.listen()), 'closed'));
  const make = (o: object) => () => new PortForward({ manager: s.alice.manager, friendKey: s.bob.key, service: 'web', ...o });
  t.true(isForwardError(t.throws(make({ service: 'a b' })), 'bad-name'));
  t.true(isForwardError(t.throws(make({ friendKey: new Uint8Array(31) })), 'bad-key'));
  t.true(isForwardError(t.throws(make({ port: 70000 })), 'bad-option'));
  t.true(isForwardError(t.throws(make({ config: { maxTunnels: 0 } })), 'bad-option'));
  t.true(isForwardError(t.throws(() => s.exposer.expose({ name: 'x', target: 'nohost' })), 'bad-target'));
  s.exposer.expose({ name: 'x', target: '127.0.0.1:1' });
  t.true(isForwardError(t.throws(() => s.exposer.expose({ name: 'x', target: '127.0.0.1:2' })), 'duplicate-service'));
  t.true(t.throws(() => s.exposer.expose({ name: 'y', target: '[::1]:0' })) instanceof ForwardError);
});
