/**
 * A user's mistakes, as a user makes them: each is one line on stderr that says what is
 * wrong and what to do, a non-zero exit code, and no stack trace. A bad Tox ID, a UDP or
 * TCP port in use, a profile that cannot be read, a profile in use by a running node, a
 * bad bootstrap flag or nodes file.
 */
import test, { type ExecutionContext } from 'ava';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNodeFlag, parseNodesJson } from '../../src/cli/bootstrap-list.ts';
import { toxlink } from './toxlink-child.ts';

function scratch(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'toxlink-errors-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs toxlink to its end; checks exit code 1 and one stderr line (tsx's and npm's noise aside); returns the line. */
async function oneLine(t: ExecutionContext, args: string[]): Promise<string> {
  const child = toxlink(t, args, { limitMs: 60_000 });
  const code = await child.exited;
  const lines = child.stderr().split('\n').filter((l) => l !== '' && !l.startsWith('npm warn'));
  t.is(code, 1, `exit code of toxlink ${args.join(' ')}; stderr: ${child.stderr()}`);
  t.is(lines.length, 1, `one line from toxlink ${args.join(' ')}:\n${child.stderr()}`);
  t.notRegex(child.stderr(), /\n\s+at /, 'no stack trace');
  return lines[0] ?? '';
}

test('a bad Tox ID', async (t) => {
  const dir = scratch(t);
  const id = 'EB0953B0A788E4B9ECF9E10B2D35DC010915AF14B10A373FC2093C678AEC3C0F688676517121'; // last digit changed
  t.regex(await oneLine(t, ['chat', id, '--profile', join(dir, 'p.json')]), /^toxlink: bad Tox ID: the Tox ID checksum does not match: check it for a typo$/);
  t.regex(await oneLine(t, ['chat', 'bob', '--profile', join(dir, 'p.json')]), /^toxlink: "bob" is not a friend: give a friend number, a public key/);
});

test('a UDP port in use, a TCP port in use', async (t) => {
  const dir = scratch(t);
  const udp = createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  t.teardown(() => udp.close());
  const udpPort = udp.address().port;
  t.regex(
    await oneLine(t, ['node', '--profile', join(dir, 'a.json'), '--host', '127.0.0.1', '--udp-port', String(udpPort), '--no-relay']),
    new RegExp(`^toxlink: UDP port 127\\.0\\.0\\.1:${udpPort} is in use: stop the program using it or choose another with --udp-port$`),
  );
  const tcp = createServer();
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  t.teardown(() => tcp.close());
  const tcpPort = (tcp.address() as { port: number }).port;
  t.regex(
    await oneLine(t, ['node', '--profile', join(dir, 'b.json'), '--host', '127.0.0.1', '--udp-port', '0', '--tcp-port', String(tcpPort)]),
    new RegExp(`^toxlink: TCP port 127\\.0\\.0\\.1:${tcpPort} is in use: .*--tcp-port`),
  );
  t.regex(await oneLine(t, ['node', '--udp-port', '70000']), /argument '70000' is invalid\. expected a port from 0 to 65535/);
});

test('a profile that cannot be read', async (t) => {
  const dir = scratch(t);
  const garbage = join(dir, 'garbage.json');
  writeFileSync(garbage, 'this is not a profile');
  t.regex(await oneLine(t, ['id', '--profile', garbage]), /^toxlink: .*garbage\.json.*; choose a toxlink profile with --profile/);
  const damaged = join(dir, 'damaged.json');
  writeFileSync(damaged, JSON.stringify({ format: 'toxlink-profile', version: 1, secret_key: 'zz' }));
  t.regex(await oneLine(t, ['node', '--profile', damaged, '--udp-port', '0', '--no-relay']), /^toxlink: .*; restore it from a backup, or choose another with --profile$/);
  const newer = join(dir, 'newer.json');
  writeFileSync(newer, JSON.stringify({ format: 'toxlink-profile', version: 99 }));
  t.regex(await oneLine(t, ['id', '--profile', newer]), /upgrade toxlink/);
  const directory = join(dir, 'a-directory');
  mkdirSync(directory);
  t.regex(await oneLine(t, ['id', '--profile', directory]), /^toxlink: could not read .*a-directory.*check its permissions, or choose another with --profile$/);
  const save = join(dir, 'not-a-save.tox');
  writeFileSync(save, 'hello');
  t.regex(await oneLine(t, ['id', '--profile', join(dir, 'new.json'), '--import-tox', save]), /^toxlink: cannot import the c-toxcore save .*not-a-save\.tox: /);
  t.regex(await oneLine(t, ['status', '--profile', join(dir, 'never-ran.json')]), /^toxlink: no toxlink has run with the profile .*start one with `toxlink node`$/);
});

test('a profile in use by a running node', async (t) => {
  const dir = scratch(t);
  const profile = join(dir, 'busy.json');
  const node = toxlink(t, ['node', '--profile', profile, '--host', '127.0.0.1', '--udp-port', '0', '--no-relay']);
  await node.waitLine(/^profile /);
  t.regex(await oneLine(t, ['chat', '--profile', profile]), new RegExp(`^toxlink: the profile .*busy\\.json is in use by another toxlink \\(pid ${node.pid}\\)`));
  t.is(await node.stop('SIGTERM'), 0);
  // The lock went with it: the profile can be used again.
  const again = toxlink(t, ['node', '--profile', profile, '--host', '127.0.0.1', '--udp-port', '0', '--no-relay']);
  await again.waitLine(/^profile .* \(loaded\)$/);
  t.is(await again.stop('SIGINT'), 0);
});

test('bad bootstrap flags and nodes files', async (t) => {
  const dir = scratch(t);
  t.regex(await oneLine(t, ['node', '--bootstrap', '127.0.0.1:33445', '--profile', join(dir, 'p.json')]), /--bootstrap "127\.0\.0\.1:33445": expected HOST:PORT:KEY/);
  const file = join(dir, 'nodes.json');
  writeFileSync(file, '{"nodes": 3}');
  t.regex(await oneLine(t, ['node', '--nodes', file, '--profile', join(dir, 'p.json')]), /nodes\.json: no "nodes" list/);
});

test('nodes flags and the public nodes list format are read', (t) => {
  const key = 'A'.repeat(62) + '0F';
  t.like(parseNodeFlag(`127.0.0.1:33445:${key}`, 'udp'), { host: '127.0.0.1', udpPort: 33445, tcpPorts: [] });
  t.like(parseNodeFlag(`[::1]:3389:${key}`, 'tcp'), { host: '::1', udpPort: undefined, tcpPorts: [3389] });
  t.throws(() => parseNodeFlag(`127.0.0.1:33445:${'F'.repeat(64)}`, 'udp'), { message: /not valid/ });
  t.throws(() => parseNodeFlag(`127.0.0.1:0:${key}`, 'udp'), { message: /not a port/ });
  const list = parseNodesJson(JSON.stringify({
    last_scan: 1, nodes: [
      { ipv4: '85.143.221.42', ipv6: '-', port: 33445, tcp_ports: [3389, 33445], public_key: key, maintainer: 'x', status_udp: true },
      { ipv4: '-', ipv6: '2a01:4f8::1', port: 33445, tcp_ports: [], public_key: key },
      { ipv4: 'tox.example.org', port: 33445, public_key: key },
      { ipv4: '1.2.3.4', port: 'x', public_key: key },
      { ipv4: '1.2.3.4', port: 33445, public_key: 'short' },
      { ipv4: '-', ipv6: '-', port: 33445, public_key: key },
    ],
  }), 'nodes.json');
  t.is(list.nodes.length, 3);
  t.is(list.skipped, 3);
  t.like(list.nodes[0], { host: '85.143.221.42', udpPort: 33445, tcpPorts: [3389, 33445] });
  t.like(list.nodes[1], { host: '2a01:4f8::1' });
  t.like(list.nodes[2], { host: 'tox.example.org', tcpPorts: [] });
});
