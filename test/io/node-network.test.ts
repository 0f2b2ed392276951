import test from 'ava';
import {
  BindError,
  ConnectError,
  NodeNetwork,
  StreamClosedError,
  type StreamConnection,
} from '../../src/io/index.ts';

const LOOPBACK = '127.0.0.1';
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

test('UDP round trip on loopback', async (t) => {
  const net = new NodeNetwork();
  const a = await net.bindUdp({ host: LOOPBACK, port: 0 });
  const b = await net.bindUdp({ host: LOOPBACK, port: 0 });
  t.is(a.local.host, LOOPBACK);
  t.true(a.local.port > 0);
  b.onReceive((data, from) => b.send(from, text(`echo:${str(data)}`)));
  const reply = await new Promise<{ data: string; from: { host: string; port: number } }>((resolve) => {
    a.onReceive((data, from) => resolve({ data: str(data), from }));
    a.send(b.local, text('ping'));
  });
  t.is(reply.data, 'echo:ping');
  t.deepEqual(reply.from, { host: LOOPBACK, port: b.local.port });
  t.is(net.stats.udpReceived, 2);
  await a.close();
  await a.close();
  await b.close();
  t.is(net.stats.udpSent, 2);
});

test('UDP to a host name still resolves it (IP literals are answered at once, names go to dns.lookup)', async (t) => {
  const net = new NodeNetwork();
  const a = await net.bindUdp({ host: LOOPBACK, port: 0 });
  const b = await net.bindUdp({ host: LOOPBACK, port: 0 });
  const got: string[] = [];
  const both = new Promise<void>((resolve) => b.onReceive((data) => {
    got.push(str(data));
    if (got.length === 2) resolve();
  }));
  a.send({ host: 'localhost', port: b.local.port }, text('by name'));
  a.send({ host: LOOPBACK, port: b.local.port }, text('by literal'));
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([both, new Promise<void>((resolve) => { timer = setTimeout(resolve, 5000); })]);
  clearTimeout(timer);
  t.deepEqual(got.sort(), ['by literal', 'by name']);
  await a.close();
  await b.close();
});

test('UDP send failures are counted, never thrown', async (t) => {
  const net = new NodeNetwork();
  const a = await net.bindUdp({ host: LOOPBACK, port: 0 });
  a.send({ host: LOOPBACK, port: 9 }, new Uint8Array(70_000));
  a.send({ host: '::1', port: 9 }, text('wrong family'));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await a.close();
  a.send({ host: LOOPBACK, port: 9 }, text('after close'));
  t.is(net.stats.udpSendErrors, 3);
  t.is(net.stats.udpSent, 0);
});

test('binding a port in use is a typed error', async (t) => {
  const net = new NodeNetwork();
  const a = await net.bindUdp({ host: LOOPBACK, port: 0 });
  const error = await t.throwsAsync(net.bindUdp(a.local), { instanceOf: BindError });
  t.is(error?.reason, 'address-in-use');
  await a.close();
});

test('a receive handler that throws is counted and reported, not crashed on', async (t) => {
  const seen: unknown[] = [];
  const net = new NodeNetwork({ onHandlerError: (error) => seen.push(error) });
  const a = await net.bindUdp({ host: LOOPBACK, port: 0 });
  const b = await net.bindUdp({ host: LOOPBACK, port: 0 });
  await new Promise<void>((resolve) => {
    b.onReceive(() => {
      setImmediate(resolve);
      throw new Error('bad handler');
    });
    a.send(b.local, text('x'));
  });
  t.is(net.stats.handlerErrors, 1);
  t.is((seen[0] as Error).message, 'bad handler');
  await a.close();
  await b.close();
});

/** A promise with its resolve function outside. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

test('TCP echo with end and close semantics', async (t) => {
  const net = new NodeNetwork();
  const serverClosed = deferred<Error | undefined>();
  const listener = await net.listenTcp({ host: LOOPBACK, port: 0 }, (conn) => {
    conn.onData((data) => conn.write(data));
    conn.onClose(serverClosed.resolve);
  });
  const conn = await net.connectTcp(listener.local);
  t.is(conn.remote.port, listener.local.port);
  const clientClosed = deferred<Error | undefined>();
  let received = '';
  conn.onData((data) => {
    received += str(data);
    if (received === 'hello world') conn.end();
  });
  conn.onClose(clientClosed.resolve);
  t.true(conn.write(text('hello ')));
  conn.write(text('world'));
  t.is(await clientClosed.promise, undefined);
  t.is(await serverClosed.promise, undefined);
  t.is(received, 'hello world');
  t.throws(() => conn.write(text('late')), { instanceOf: StreamClosedError });
  conn.end();
  conn.destroy();
  await listener.close();
  await listener.close();
  t.is(net.stats.tcpConnected, 1);
  t.is(net.stats.tcpAccepted, 1);
});

test('destroy at one end closes the other', async (t) => {
  const net = new NodeNetwork();
  const accepted = deferred<StreamConnection>();
  const listener = await net.listenTcp({ host: LOOPBACK, port: 0 }, accepted.resolve);
  const client = await net.connectTcp(listener.local);
  const server = await accepted.promise;
  const clientClosed = deferred<Error | undefined>();
  const serverClosed = deferred<Error | undefined>();
  client.onClose(clientClosed.resolve);
  server.onClose(serverClosed.resolve);
  server.destroy();
  t.is(await serverClosed.promise, undefined);
  t.is(await clientClosed.promise, undefined);
  await listener.close();
});

test('connect to a closed port is refused with a typed error', async (t) => {
  const net = new NodeNetwork();
  const listener = await net.listenTcp({ host: LOOPBACK, port: 0 }, () => undefined);
  const port = listener.local.port;
  await listener.close();
  const error = await t.throwsAsync(net.connectTcp({ host: LOOPBACK, port }), { instanceOf: ConnectError });
  t.is(error?.reason, 'refused');
  t.deepEqual(error?.to, { host: LOOPBACK, port });
  t.is(net.stats.tcpConnectErrors, 1);
});
