// The pure parts of port forwarding: service names and the tcp:// scheme, HOST:PORT
// targets, reason words, the service table and the config check. Parsers are held to
// never throwing anything but their typed error on random input.
import test from 'ava';
import fc from 'fast-check';
import { generateKeyPair } from '../../src/crypto/index.ts';
import {
  ForwardError, ServiceTable, forwardConfig, defaultForwardConfig, formatReason, formatTarget, isForwardError, isServiceName,
  parseReason, parseServiceUri, parseTarget, serviceUri,
} from '../../src/mux/index.ts';

test('service names: 1 to 64 unreserved URI characters; tcp://NAME both ways', (t) => {
  for (const good of ['web', 'a', 'ssh-22', 'my.service_v2~', 'x'.repeat(64)]) {
    t.true(isServiceName(good), good);
    t.is(serviceUri(good), `tcp://${good}`);
    t.deepEqual(parseServiceUri(serviceUri(good)), { name: good });
  }
  for (const bad of ['', 'x'.repeat(65), 'a b', 'a/b', 'a:1', 'é', 'a%20', '..\n']) {
    t.false(isServiceName(bad), JSON.stringify(bad));
    t.true(isForwardError(t.throws(() => serviceUri(bad)), 'bad-name'));
    t.is(parseServiceUri(`tcp://${bad}`), 'bad-uri');
  }
  t.is(parseServiceUri('file://web'), undefined, 'another scheme is not ours');
  t.is(parseServiceUri('TCP://web'), undefined, 'the scheme is compared as bytes');
});

test('targets: HOST:PORT, IPv6 in brackets; formatTarget round-trips', (t) => {
  t.deepEqual(parseTarget('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
  t.deepEqual(parseTarget('localhost:1'), { host: 'localhost', port: 1 });
  t.deepEqual(parseTarget('[::1]:65535'), { host: '::1', port: 65535 });
  for (const text of ['127.0.0.1:8080', 'example.org:443', '[::1]:22']) t.is(formatTarget(parseTarget(text)), text);
  for (const bad of ['', 'host', ':80', 'host:0', 'host:65536', 'host:-1', '::1:22', 'a b:1', 'host:80x']) {
    t.true(isForwardError(t.throws(() => parseTarget(bad)), 'bad-target'), bad);
  }
});

test('reasons: code: detail, read back; text without a code is all detail', (t) => {
  t.is(formatReason('connect-failed', 'ECONNREFUSED'), 'connect-failed: ECONNREFUSED');
  t.is(formatReason('closed', ''), 'closed');
  t.deepEqual(parseReason('connect-failed: ECONNREFUSED'), { code: 'connect-failed', detail: 'ECONNREFUSED' });
  t.deepEqual(parseReason('closed'), { code: 'closed', detail: '' });
  t.deepEqual(parseReason('unknown-service: no service "x:y" is exposed to you'), { code: 'unknown-service', detail: 'no service "x:y" is exposed to you' });
  t.deepEqual(parseReason('Something else happened'), { code: undefined, detail: 'Something else happened' });
  t.deepEqual(parseReason(''), { code: undefined, detail: '' });
});

test('parsers never throw on random input, but for their own typed error', (t) => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
    parseReason(text);
    const uri = parseServiceUri(text);
    if (uri !== undefined && uri !== 'bad-uri') t.true(isServiceName(uri.name));
    try {
      const target = parseTarget(text);
      t.true(target.port >= 1 && target.port <= 65535);
    } catch (error) {
      if (!isForwardError(error, 'bad-target')) throw error;
    }
  }), { numRuns: 2000 });
  t.pass();
});

test('the service table: per-friend allow-lists, duplicates, bounds', (t) => {
  const alice = generateKeyPair().publicKey;
  const bob = generateKeyPair().publicKey;
  const table = new ServiceTable(3);
  table.add({ name: 'web', target: '127.0.0.1:80' });
  table.add({ name: 'ssh', target: { host: '::1', port: 22 }, friends: [alice] });
  t.is(table.lookup('web', bob)?.target.port, 80);
  t.is(table.lookup('ssh', alice)?.target.host, '::1');
  t.is(table.lookup('ssh', bob), undefined, 'not listed for bob');
  t.is(table.lookup('nope', alice), undefined);
  t.true(isForwardError(t.throws(() => table.add({ name: 'web', target: '127.0.0.1:81' })), 'duplicate-service'));
  t.true(isForwardError(t.throws(() => table.add({ name: 'x', target: '127.0.0.1:81', friends: [new Uint8Array(3)] })), 'bad-key'));
  table.add({ name: 'third', target: '127.0.0.1:3' });
  t.true(isForwardError(t.throws(() => table.add({ name: 'fourth', target: '127.0.0.1:4' })), 'bad-option'), 'maxServices');
  t.true(table.remove('third'));
  t.false(table.remove('third'));
  t.deepEqual(table.list().map((e) => e.name), ['web', 'ssh']);
});

test('config: defaults, and every value checked', (t) => {
  t.deepEqual(forwardConfig(), { ...defaultForwardConfig });
  for (const bad of [{ maxTunnels: 0 }, { maxTunnels: 1.5 }, { connectTimeoutMs: 0 }, { openTimeoutMs: -1 }, { maxServices: 0 }]) {
    const error = t.throws(() => forwardConfig(bad));
    t.true(error instanceof ForwardError && error.code === 'bad-option', JSON.stringify(bad));
  }
});
