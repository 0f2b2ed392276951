// Bytes through a tunnel over a real net_crypto session on loopback UDP, between real
// loopback TCP sockets: a megabyte each way byte-exact, half-close in both directions, and
// a reset on either side reaching the other.
import test from 'ava';
import type { Socket } from 'node:net';
import { bytes, readAll, sha256, within, writeAll, type Received } from './helpers.ts';
import { forwardSetup } from './setup.ts';

/** A value to wait for, set from a callback. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T | PromiseLike<T>) => void } {
  let resolve!: (v: T | PromiseLike<T>) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}

test('1 MB each way through one tunnel arrives byte-exact; FIN and EOF end it cleanly on both sides', async (t) => {
  const up = bytes(1 << 20);
  const down = bytes(1 << 20);
  const atService = deferred<Received>();
  const s = await forwardSetup(t, {
    service: 'blob',
    services: async (h) => {
      const { port } = await h.server((socket) => {
        atService.resolve(readAll(socket));
        writeAll(socket, down).catch(() => {});
      });
      return [{ name: 'blob', target: `127.0.0.1:${port}` }];
    },
  });
  const client = await s.handles.client(s.port);
  const got = readAll(client);
  await writeAll(client, up);
  const received = await within(got, 60_000, 'the download through the tunnel');
  t.is(received.how, 'end');
  t.is(received.bytes, down.length);
  t.is(received.sha256, sha256(down));
  const sent = await within(atService.promise, 60_000, 'the upload at the service');
  t.is(sent.how, 'end');
  t.is(sent.bytes, up.length);
  t.is(sent.sha256, sha256(up));

  const here = await s.forwardClosed.until();
  t.is(here.reason.code, 'end', here.reason.message);
  t.is(here.tunnel.bytesToFriend, up.length);
  t.is(here.tunnel.bytesFromFriend, down.length);
  t.is(here.tunnel.service, 'blob');
  const there = await s.exposerClosed.until();
  t.is(there.reason.code, 'end', there.reason.message);
  t.is(there.tunnel.bytesToFriend, down.length);
  t.is(there.tunnel.bytesFromFriend, up.length);
  t.deepEqual(s.forward.tunnels(), []);
  t.deepEqual(s.exposer.tunnels(), []);
  t.is(s.forwardOpened.items.length, 1);
});

test('half-close from the client: its FIN reaches the service, which still answers after it', async (t) => {
  const request = bytes(100_000);
  const s = await forwardSetup(t, {
    service: 'ask',
    services: async (h) => {
      const { port } = await h.server((socket) => {
        // Answers only once the request has ended: the client's FIN must come through.
        readAll(socket).then((r) => {
          if (r.how === 'end') socket.end(`${r.bytes} ${r.sha256}`);
        }, () => {});
      });
      return [{ name: 'ask', target: `127.0.0.1:${port}` }];
    },
  });
  const client = await s.handles.client(s.port);
  const answer: Buffer[] = [];
  client.on('data', (c: Buffer) => answer.push(c));
  const ended = new Promise<void>((resolve) => client.once('end', resolve));
  await writeAll(client, request);
  await within(ended, 30_000, "the service's answer and FIN");
  t.is(Buffer.concat(answer).toString(), `${request.length} ${sha256(request)}`);
  t.is((await s.forwardClosed.until()).reason.code, 'end');
  t.is((await s.exposerClosed.until()).reason.code, 'end');
});

test('half-close from the service: its FIN reaches the client, which still sends after it', async (t) => {
  const banner = bytes(200_000);
  const upload = bytes(300_000);
  const atService = deferred<Received>();
  const s = await forwardSetup(t, {
    service: 'banner',
    services: async (h) => {
      const { port } = await h.server((socket) => {
        atService.resolve(readAll(socket));
        writeAll(socket, banner).catch(() => {}); // then FIN at once
      });
      return [{ name: 'banner', target: `127.0.0.1:${port}` }];
    },
  });
  const client = await s.handles.client(s.port);
  const got = await within(readAll(client), 30_000, "the banner and the service's FIN");
  t.is(got.how, 'end');
  t.is(got.sha256, sha256(banner));
  t.false(client.writableEnded, 'the client has not ended its side yet');
  await writeAll(client, upload);
  const sent = await within(atService.promise, 30_000, 'the upload after the FIN');
  t.is(sent.how, 'end');
  t.is(sent.sha256, sha256(upload));
  t.is((await s.forwardClosed.until()).reason.code, 'end');
  t.is((await s.exposerClosed.until()).reason.code, 'end');
});

test('a reset of the local client resets the connection to the service, and the reverse', async (t) => {
  let serviceSide: Socket | undefined;
  const serviceGot: Array<Promise<Received>> = [];
  let resetService = false;
  const s = await forwardSetup(t, {
    service: 'rst',
    services: async (h) => {
      const { port } = await h.server((socket) => {
        serviceSide = socket;
        serviceGot.push(readAll(socket));
        socket.once('data', () => {
          if (resetService) socket.resetAndDestroy();
          else socket.write('ready');
        });
      });
      return [{ name: 'rst', target: `127.0.0.1:${port}` }];
    },
  });

  // The client resets: the service's socket is reset too.
  const client = await s.handles.client(s.port);
  client.write('hello');
  await within(new Promise((resolve) => client.once('data', resolve)), 20_000, 'the service to answer');
  client.resetAndDestroy();
  const atService = await within(serviceGot[0]!, 20_000, "the reset at the service's socket");
  t.is(atService.how, 'ECONNRESET');
  t.truthy(serviceSide);
  const here = await s.forwardClosed.until();
  t.is(here.reason.code, 'local-reset');
  const there = await s.exposerClosed.until();
  t.is(there.reason.code, 'remote-reset');
  t.is(there.reason.remoteCode, 'tcp-reset');
  t.regex(there.reason.remoteReason ?? '', /^tcp-reset: ECONNRESET/);

  // The service resets: the client's socket is reset.
  resetService = true;
  const second = await s.handles.client(s.port);
  const got = readAll(second);
  second.write('hello again');
  const atClient = await within(got, 20_000, "the reset at the client's socket");
  t.is(atClient.how, 'ECONNRESET');
  const here2 = await s.forwardClosed.until((c) => c.tunnel.id === 2);
  t.is(here2.reason.code, 'remote-reset');
  t.is(here2.reason.remoteCode, 'tcp-reset');
  const there2 = await s.exposerClosed.until((c) => c.tunnel.id === 2);
  t.is(there2.reason.code, 'local-reset');
});
