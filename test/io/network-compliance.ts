/**
 * One suite that every `Network` implementation must pass: the real `NodeNetwork` on
 * loopback and a pair of simulated hosts run the same scenarios and must behave alike.
 */
import type { ExecutionContext } from 'ava';
import test from 'ava';
import { BindError, ConnectError, StreamClosedError, type Network, type StreamConnection } from '../../src/io/index.ts';

/** Two hosts of one implementation, and how to wait on it. */
export interface ComplianceEnv {
  readonly a: Network;
  readonly b: Network;
  /** The address each host binds and is reached at. */
  readonly ipA: string;
  readonly ipB: string;
  /** Resolves with `promise`, moving (real or virtual) time along until it settles. */
  wait<T>(promise: Promise<T>): Promise<T>;
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

type Scenario = (t: ExecutionContext, env: ComplianceEnv) => Promise<void>;

const scenarios: Record<string, Scenario> = {
  async 'a datagram goes there and back, from the sender address'(t, env) {
    const a = await env.a.bindUdp({ host: env.ipA, port: 0 });
    const b = await env.b.bindUdp({ host: env.ipB, port: 0 });
    b.onReceive((data, from) => b.send(from, bytes(`re:${text(data)}`)));
    const reply = deferred<{ data: string; port: number }>();
    a.onReceive((data, from) => reply.resolve({ data: text(data), port: from.port }));
    a.send(b.local, bytes('hi'));
    t.deepEqual(await env.wait(reply.promise), { data: 're:hi', port: b.local.port });
    await a.close();
    await b.close();
  },

  async 'binding a port twice fails with address-in-use'(t, env) {
    const a = await env.a.bindUdp({ host: env.ipA, port: 0 });
    t.is((await t.throwsAsync(env.a.bindUdp(a.local), { instanceOf: BindError }))?.reason, 'address-in-use');
    const l = await env.a.listenTcp({ host: env.ipA, port: 0 }, () => undefined);
    t.is((await t.throwsAsync(env.a.listenTcp(l.local, () => undefined), { instanceOf: BindError }))?.reason, 'address-in-use');
    await a.close();
    await l.close();
  },

  async 'a connect with nothing listening is refused'(t, env) {
    const l = await env.b.listenTcp({ host: env.ipB, port: 0 }, () => undefined);
    const port = l.local.port;
    await l.close();
    const error = await t.throwsAsync(env.wait(env.a.connectTcp({ host: env.ipB, port })), { instanceOf: ConnectError });
    t.is(error?.reason, 'refused');
  },

  async 'echo, end, and both sides close cleanly'(t, env) {
    const serverClosed = deferred<Error | undefined>();
    const l = await env.b.listenTcp({ host: env.ipB, port: 0 }, (conn) => {
      conn.onData((data) => conn.write(data));
      conn.onClose(serverClosed.resolve);
    });
    const conn = await env.wait(env.a.connectTcp(l.local));
    let received = '';
    conn.onData((data) => (received += text(data)));
    const clientClosed = deferred<Error | undefined>();
    conn.onClose(clientClosed.resolve);
    t.true(conn.write(bytes('hello ')));
    conn.write(bytes('world'));
    conn.end();
    t.throws(() => conn.write(bytes('!')), { instanceOf: StreamClosedError });
    t.is(await env.wait(clientClosed.promise), undefined);
    t.is(await env.wait(serverClosed.promise), undefined);
    t.is(received, 'hello world');
    await l.close();
  },

  async 'destroy closes this end with its error and the peer cleanly'(t, env) {
    const accepted = deferred<StreamConnection>();
    const l = await env.b.listenTcp({ host: env.ipB, port: 0 }, accepted.resolve);
    const conn = await env.wait(env.a.connectTcp(l.local));
    const server = await env.wait(accepted.promise);
    const serverClosed = deferred<Error | undefined>();
    server.onClose(serverClosed.resolve);
    conn.destroy(new Error('going'));
    let calls = 0;
    const clientClosed = deferred<Error | undefined>();
    conn.onClose((error) => {
      calls++;
      clientClosed.resolve(error);
    });
    t.is((await env.wait(clientClosed.promise))?.message, 'going');
    t.is(await env.wait(serverClosed.promise), undefined);
    t.is(calls, 1);
    t.throws(() => conn.write(bytes('x')), { instanceOf: StreamClosedError });
    await l.close();
  },
};

/** Registers the whole suite for one implementation. */
export function networkCompliance(name: string, makeEnv: () => ComplianceEnv): void {
  for (const [title, scenario] of Object.entries(scenarios)) {
    test(`${name}: ${title}`, (t) => scenario(t, makeEnv()));
  }
}
