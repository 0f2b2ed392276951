// How a tunnel closes its TCP socket when our FIN is still queued. Node 20 (libuv) refuses
// to reset a socket whose shutdown is pending (`reset EINVAL`) and then never emits
// 'close', so a tunnel that reset it would never report closed and `close()` of its forward
// would hang (the cause of a stop that never ended in test/cli/forward.test.ts). These run
// a Tunnel on a real loopback TCP pair with a stand-in channel, and put the socket in that
// state on purpose: `end()`, then the next tick, when the shutdown has been asked of libuv.
// (Node's own behaviour is not pinned by a test here: a socket left in that state leaks
// its handle, and closing it by hand made the worker spin in some runs.)
import test from 'ava';
import { once } from 'node:events';
import { type AddressInfo, type Socket, createConnection, createServer } from 'node:net';
import { Duplex } from 'node:stream';
import { SimClock, SystemClock } from '../../src/io/index.ts';
import type { ChannelSocket } from '../../src/mux/index.ts';
import { TCP_FINISH_GRACE_MS, Tunnel, type TunnelCloseReason } from '../../src/mux/tunnel.ts';

/** A loopback TCP pair: `ours` is the tunnel's side (half-open allowed), `peer` the local client. */
async function tcpPair(t: { teardown(fn: () => void): void }): Promise<{ ours: Socket; peer: Socket }> {
  const server = createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const peer = createConnection((server.address() as AddressInfo).port, '127.0.0.1');
  peer.on('error', () => {});
  const [ours] = await accepted;
  server.close();
  t.teardown(() => {
    ours.destroy();
    peer.destroy();
  });
  return { ours, peer };
}

/** A stand-in for a ChannelSocket: a Duplex with the fields a tunnel reads. */
function fakeChannel(): ChannelSocket {
  const channel = new Duplex({
    allowHalfOpen: true,
    read() {},
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
  // As a ChannelSocket says it: 'end' when both ways ended, else destroyed here.
  Object.defineProperty(channel, 'channelId', { value: 2 });
  Object.defineProperty(channel, 'closeReason', {
    get: () => (channel.readableEnded && channel.writableFinished ? { code: 'end', message: 'both ways ended' } : { code: 'destroyed', message: 'destroyed here' }),
  });
  return channel as unknown as ChannelSocket;
}

function joinedTunnel(clock: SimClock | SystemClock, tcp: Socket, channel: ChannelSocket): { tunnel: Tunnel; closed: Promise<TunnelCloseReason> } {
  let closed!: (reason: TunnelCloseReason) => void;
  const done = new Promise<TunnelCloseReason>((resolve) => (closed = resolve));
  const tunnel = new Tunnel({ id: 1, side: 'forward', friendKey: new Uint8Array(32), service: 'web' }, clock, {
    joined: () => {},
    closed: (_t, reason) => closed(reason),
  });
  tunnel.attachTcp(tcp);
  tunnel.openChannel(Promise.resolve(channel), () => ({ reason: { code: 'open-failed', message: 'no' }, wireReason: '' }));
  return { tunnel, closed: done };
}

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => Promise.race([
  p,
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)),
]);

test('fail() while our FIN is queued still closes the TCP socket and reports the tunnel closed once', async (t) => {
  const { ours, peer } = await tcpPair(t);
  const channel = fakeChannel();
  const { tunnel, closed } = joinedTunnel(new SystemClock(), ours, channel);
  await new Promise((resolve) => setImmediate(resolve));
  t.is(tunnel.state, 'open');
  ours.end();
  await new Promise<void>((resolve) => process.nextTick(resolve));
  t.true(ours.writableEnded && !ours.writableFinished, 'the shutdown is pending');
  tunnel.fail({ code: 'closed', message: 'the port forward was closed' }, 'closed');
  const reason = await within(closed, 2000, 'tunnel closed');
  t.is(reason.code, 'closed');
  t.true(ours.destroyed);
  const peerEnded = await within(once(peer, 'close'), 2000, 'the client sees its connection close');
  t.truthy(peerEnded);
});

test('both directions ended but no finish: the socket is closed after the grace and the tunnel ends with "end"', async (t) => {
  const { ours, peer } = await tcpPair(t);
  const channel = fakeChannel();
  const clock = new SimClock();
  const { tunnel, closed } = joinedTunnel(clock, ours, channel);
  await new Promise((resolve) => setImmediate(resolve));
  // The shutdown never completes, as Node sometimes does: no 'finish', no 'close'.
  (ours as unknown as { _final: (cb: () => void) => void })._final = () => {};
  channel.push(null); // the friend's EOF: the tunnel ends the socket
  peer.end(); // the client's FIN
  await within(once(ours, 'end'), 2000, 'the client FIN');
  await new Promise((resolve) => setImmediate(resolve));
  t.true(channel.writableEnded, 'the client FIN became our EOF to the friend');
  t.true(channel.destroyed, 'the channel ended both ways and closed');
  t.is(tunnel.closeReason, undefined, 'still waiting for the socket');
  t.false(ours.destroyed);
  clock.advance(TCP_FINISH_GRACE_MS - 1);
  t.false(ours.destroyed, 'not before the grace');
  clock.advance(1);
  t.true(ours.destroyed, 'closed after the grace');
  const reason = await within(closed, 2000, 'tunnel closed');
  t.is(reason.code, 'end', 'a graceful end, not a reset');
});
