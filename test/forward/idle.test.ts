// The idle timeout of a forward, in simulated time: the forward's clock is a SimClock (the
// tunnels' bytes are real, on loopback), its ConnectionHold a recorder. The hold is taken
// when the forward listens, kept while bytes flow or a tunnel is opening, let go after
// idleTimeoutMs of quiet (open tunnels reset with `idle`), and taken again by the next
// local connection.
import test from 'ava';
import type { Socket } from 'node:net';
import { Exposer, IdleHold, PortForward, type ConnectionHold, type TunnelClosed } from '../../src/mux/index.ts';
import { SimClock } from '../../src/io/index.ts';
import { Handles, livePair, readAll, within } from './helpers.ts';
import { EventLog } from './setup.ts';

const IDLE_MS = 60_000;

/** A hold that records what it was asked. */
function recorder(): ConnectionHold & { log: string[] } {
  const log: string[] = [];
  return { log, acquire: () => log.push('acquire'), release: () => log.push('release') };
}

/** Sends `text` and reads the echo of it. */
async function roundTrip(socket: Socket, text: string): Promise<string> {
  const back = new Promise<string>((resolve) => {
    let got = '';
    const on = (chunk: Buffer): void => {
      got += chunk.toString('utf8');
      if (got.length >= text.length) {
        socket.off('data', on);
        resolve(got);
      }
    };
    socket.on('data', on);
  });
  socket.write(text);
  return within(back, 10_000, `the echo of ${text}`);
}

test('held from listen, kept while bytes flow, let go after idleTimeoutMs of quiet (open tunnels reset with idle), taken again by the next connection', async (t) => {
  const { alice, bob } = await livePair(t);
  const handles = new Handles(t);
  const echo = await handles.echo();
  const exposer = new Exposer({ manager: bob.manager, services: [{ name: 'echo', target: `127.0.0.1:${echo.port}` }], clock: bob.clock });
  const clock = new SimClock();
  const hold = recorder();
  const forward = new PortForward({ manager: alice.manager, friendKey: bob.key, service: 'echo', clock, hold, config: { idleTimeoutMs: IDLE_MS } });
  t.teardown(async () => {
    await forward.close();
    await exposer.close();
  });
  const closed = new EventLog<TunnelClosed>();
  const remoteClosed = new EventLog<TunnelClosed>();
  const idle = new EventLog<{ quietMs: number; tunnels: number }>();
  const wakes = new EventLog<unknown>();
  forward.on('tunnel-closed', closed.push);
  exposer.on('tunnel-closed', remoteClosed.push);
  forward.on('idle', idle.push);
  forward.on('wake', wakes.push);

  t.deepEqual(hold.log, []);
  t.false(forward.held);
  const { port } = await forward.listen();
  t.deepEqual(hold.log, ['acquire'], 'taken when the forward listens');
  t.true(forward.held);

  const client = await handles.client(port);
  const ended = readAll(client);
  t.is(await roundTrip(client, 'one'), 'one');
  clock.advance(IDLE_MS - 10_000);
  t.is(await roundTrip(client, 'two'), 'two', 'bytes 50 s in: the quiet period starts again');
  clock.advance(IDLE_MS - 10_000);
  t.true(forward.held, '50 s after the last bytes: still held');
  t.deepEqual(idle.items, []);
  clock.advance(10_000);
  t.false(forward.held, '60 s after the last bytes: let go');
  t.deepEqual(hold.log, ['acquire', 'release']);
  t.is(idle.items.length, 1);
  t.is(idle.items[0]!.tunnels, 1);
  t.true(idle.items[0]!.quietMs >= IDLE_MS);
  const gone = await closed.until(() => true, 10_000, 'the idle tunnel to close');
  t.is(gone.reason.code, 'idle');
  t.is((await within(ended, 10_000, 'the client to see its connection end')).how, 'ECONNRESET', 'the local client is reset, not ended');
  const far = await remoteClosed.until(() => true, 10_000, 'the exposer\'s tunnel to close');
  t.is(far.reason.code, 'remote-reset');
  t.is(far.reason.remoteCode, 'idle', 'the friend is told why');

  clock.advance(10 * IDLE_MS);
  t.deepEqual(hold.log, ['acquire', 'release'], 'nothing happens while let go');

  const again = await handles.client(port);
  t.deepEqual(hold.log, ['acquire', 'release', 'acquire'], 'the next local connection takes it again');
  await wakes.until(() => true, 5_000, 'wake');
  t.is(await roundTrip(again, 'three'), 'three');
  again.end();
  await closed.until((c) => c.tunnel.id === 2, 10_000, 'the second tunnel to end');
  await forward.close();
  t.deepEqual(hold.log, ['acquire', 'release', 'acquire', 'release'], 'close lets go');
});

test('a tunnel still opening holds off the idle timeout', async (t) => {
  const { alice, bob } = await livePair(t);
  const handles = new Handles(t);
  let accept!: (yes: boolean) => void;
  const decided = new Promise<boolean>((resolve) => (accept = resolve));
  bob.manager.onChannelRequest(() => decided);
  bob.manager.on('channel', (socket) => {
    socket.on('error', () => {}); // reset when the forward goes idle
    socket.pipe(socket);
  });
  const clock = new SimClock();
  const hold = recorder();
  const forward = new PortForward({ manager: alice.manager, friendKey: bob.key, service: 'slow', clock, hold, config: { idleTimeoutMs: IDLE_MS } });
  t.teardown(() => forward.close());
  const opened = new EventLog<unknown>();
  forward.on('tunnel', opened.push);
  const { port } = await forward.listen();
  const client = await handles.client(port);
  client.on('error', () => {});
  // Wait (real time) until the request reached Bob, so the tunnel is opening, not just accepted locally.
  await within((async () => {
    while (forward.tunnels()[0]?.state !== 'opening') await new Promise((r) => setTimeout(r, 10));
  })(), 5_000, 'the tunnel to be opening');
  clock.advance(3 * IDLE_MS);
  t.true(forward.held, 'three idle periods pass while the channel is opening: still held');
  accept(true);
  await opened.until(() => true, 10_000, 'the tunnel to open');
  t.is(await roundTrip(client, 'x'), 'x');
  clock.advance(IDLE_MS);
  t.false(forward.held, 'once open and quiet for idleTimeoutMs, let go');
  t.deepEqual(hold.log, ['acquire', 'release']);
});

test('idleTimeoutMs 0 holds the connection from listen to close, whatever the quiet', async (t) => {
  const { alice, bob } = await livePair(t);
  const clock = new SimClock();
  const hold = recorder();
  const forward = new PortForward({ manager: alice.manager, friendKey: bob.key, service: 'x', clock, hold });
  t.teardown(() => forward.close());
  await forward.listen();
  clock.advance(24 * 3600_000);
  t.true(forward.held);
  t.is(clock.pending ?? 0, 0, 'no timer is set');
  await forward.close();
  await forward.close();
  t.deepEqual(hold.log, ['acquire', 'release'], 'released once');
});

test('IdleHold on its own: the check runs once per quiet period, and a throwing hold is reported, not thrown', (t) => {
  const clock = new SimClock();
  const errors: string[] = [];
  let idles = 0;
  const hold: ConnectionHold = { acquire: () => { throw new Error('no room'); }, release: () => {} };
  const h = new IdleHold(clock, 1_000, hold, { busy: () => false, idle: () => idles++, error: (e) => errors.push(e.message) });
  t.true(h.need(), 'was let go before');
  t.deepEqual(errors, ['no room']);
  for (let i = 0; i < 100; i++) {
    clock.advance(10);
    h.touch();
  }
  t.is(idles, 0, 'touched every 10 ms: never idle');
  t.true(clock.pending <= 1, 'one timer at most, however many touches');
  clock.advance(1_000);
  t.is(idles, 1);
  t.false(h.held);
  t.false(h.need() === false, 'needed again after idle');
  h.close();
  h.close();
  t.false(h.held);
  t.false(h.need(), 'closed: stays let go');
});
