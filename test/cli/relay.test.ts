/**
 * `toxlink relay` as a child process on loopback: it prints its key and ports, toxlink
 * relay clients connect to it, are pinged and routed, and SIGTERM stops it cleanly (exit 0,
 * a last line with what it did). Its keys file is made once, then loaded. Every child is
 * bounded in time and ended by its PID.
 */
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { NodeNetwork, SystemClock } from '../../src/io/index.ts';
import { TcpRelayClient } from '../../src/relay/index.ts';
import { fromHex, toHex } from '../../src/wire/index.ts';
import { type ToxlinkChild, toxlink as spawnToxlink } from './toxlink-child.ts';

const CHILD_LIMIT_MS = 30_000;

/** A `toxlink` child (test/cli/toxlink-child.ts) whose stdout lines are read one after another. */
interface Child extends ToxlinkChild {
  /** The next stdout line, within `ms`. */
  line(ms?: number): Promise<string>;
}

function toxlink(t: ExecutionContext, args: string[]): Child {
  const child = spawnToxlink(t, args, { limitMs: CHILD_LIMIT_MS });
  let read = 0;
  return Object.assign(child, {
    line: async (ms = 20_000): Promise<string> => {
      const found = await child.waitLine(() => true, ms, read);
      read++;
      return found;
    },
  });
}

async function until(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('serves relay clients on loopback, makes then loads its keys file, and stops cleanly on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'toxlink-relay-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const keysFile = join(dir, 'keys');
  const child = toxlink(t, ['relay', '--host', '127.0.0.1', '--port', '0', '--port', '0', '--udp-port', '0', '--keys', keysFile, '--json']);
  const banner = JSON.parse(await child.line()) as { event: string; publicKey: string; tcpPorts: number[]; udpPort: number; keys: string };
  t.is(banner.event, 'listening');
  t.regex(banner.publicKey, /^[0-9A-F]{64}$/);
  t.is(banner.tcpPorts.length, 2);
  t.true(banner.tcpPorts.every((p) => p > 0) && banner.udpPort > 0);
  t.is(banner.keys, 'created');
  const file = readFileSync(keysFile);
  t.is(file.length, 64);
  t.is(toHex(file.subarray(0, 32)).toUpperCase(), banner.publicKey);
  t.is(statSync(keysFile).mode & 0o777, 0o600);

  // Two clients, one on each port: pinged, routed to each other, data both ways.
  const clock = new SystemClock();
  const network = new NodeNetwork();
  const relayKey = fromHex(banner.publicKey.toLowerCase());
  const [ka, kb] = [generateKeyPair(), generateKeyPair()];
  const a = new TcpRelayClient({ network, clock, keyPair: ka, relay: { address: { host: '127.0.0.1', port: banner.tcpPorts[0]! }, publicKey: relayKey } });
  const b = new TcpRelayClient({ network, clock, keyPair: kb, relay: { address: { host: '127.0.0.1', port: banner.tcpPorts[1]! }, publicKey: relayKey } });
  t.teardown(() => {
    a.close();
    b.close();
  });
  let pongs = 0;
  a.on('pong', () => pongs++);
  const got: number[] = [];
  b.on('data', (d) => got.push(d.data[1]!));
  a.on('connected', () => a.routingRequest(kb.publicKey));
  b.on('connected', () => b.routingRequest(ka.publicKey));
  await until('the route online', () => a.route(kb.publicKey)?.online === true && b.route(ka.publicKey)?.online === true);
  await until('a pong', () => pongs > 0);
  for (let i = 0; i < 10; i++) a.sendData(a.route(kb.publicKey)!.connectionId, Uint8Array.of(0x1b, i));
  await until('ten data frames', () => got.length === 10);
  t.deepEqual(got, [...Array(10).keys()]);

  const closed = new Promise<string>((resolve) => a.on('closed', (c) => resolve(c.reason)));
  t.is(await child.stop('SIGTERM'), 0);
  const stopped = JSON.parse(child.lines.at(-1)!) as { event: string; signal: string; clients: number; confirmed: number; dataRelayed: number };
  t.like(stopped, { event: 'stopped', signal: 'SIGTERM', clients: 2, confirmed: 2, dataRelayed: 10 });
  t.is(await closed, 'peer-closed', 'the relay closed its clients on the way out');
  t.is(child.stderr().replace(/npm warn.*\n/g, ''), '');

  // Again with the same keys file: the same key, loaded.
  const again = toxlink(t, ['relay', '--host', '127.0.0.1', '--port', '0', '--no-onion', '--keys', keysFile, '--json']);
  const second = JSON.parse(await again.line()) as { publicKey: string; keys: string; udpPort: number | null };
  t.is(second.publicKey, banner.publicKey);
  t.is(second.keys, 'loaded');
  t.is(second.udpPort, null);
  t.is(await again.stop('SIGINT'), 0);
});

test('prints its key and ports as text without --json', async (t) => {
  const child = toxlink(t, ['relay', '--host', '127.0.0.1', '--port', '0']);
  t.regex(await child.line(), /^toxlink relay: public key [0-9A-F]{64}$/);
  t.regex(await child.line(), /^tcp 127\.0\.0\.1:\d+$/);
  t.regex(await child.line(), /^udp 127\.0\.0\.1:\d+ \(onion hop\)$/);
  t.is(await child.stop('SIGINT'), 0);
  t.regex(child.lines.at(-1)!, /^toxlink relay: stopped on SIGINT/);
});

test('a bad keys file or a bad port is one line on stderr and exit 1, no stack trace', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'toxlink-relay-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad-keys');
  writeFileSync(bad, new Uint8Array(40));
  const one = toxlink(t, ['relay', '--port', '0', '--keys', bad]);
  t.is(await one.exited, 1);
  t.regex(one.stderr(), /toxlink: .*bad-keys: a keys file is 64 bytes/);
  t.notRegex(one.stderr(), /\n\s+at /);

  const mismatched = join(dir, 'mismatched');
  writeFileSync(mismatched, Buffer.concat([generateKeyPair().publicKey, generateKeyPair().secretKey]));
  const two = toxlink(t, ['relay', '--port', '0', '--keys', mismatched]);
  t.is(await two.exited, 1);
  t.regex(two.stderr(), /not the secret key's/);

  const three = toxlink(t, ['relay', '--port', '70000']);
  t.is(await three.exited, 1);
  t.regex(three.stderr(), /expected an integer from 0 to 65535/);
});
