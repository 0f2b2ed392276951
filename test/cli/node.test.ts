/**
 * `toxlink node` as a user (or a program) runs it, on loopback: three processes, one a
 * bootstrap node with a TCP relay, two that befriend each other through it over the machine
 * interface (`--json`), exchange a message and a custom packet, and stop (one by `quit`,
 * one by SIGTERM) saving their friend. `toxlink status` reads the running node's snapshot.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProfileFile } from '../../src/messenger/index.ts';
import { parseToxId, toHex } from '../../src/wire/index.ts';
import { json, toxlink, type ToxlinkChild } from './toxlink-child.ts';

/** Measured on loopback: online both ways in 2–10 s; the bound leaves room for a loaded machine. */
const ONLINE_MS = 60_000;

const isEvent = (name: string, extra: (e: Record<string, unknown>) => boolean = () => true) => (line: string): boolean => {
  try {
    const e = json(line);
    return e['event'] === name && extra(e);
  } catch {
    return false;
  }
};

const isReply = (id: number) => (line: string): boolean => {
  try {
    return json(line)['id'] === id && 'ok' in json(line);
  } catch {
    return false;
  }
};

async function command(child: ToxlinkChild, cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
  child.send(JSON.stringify(cmd));
  return json(await child.waitLine(isReply(cmd['id'] as number), 10_000));
}

test('two nodes befriend each other through a bootstrap node, exchange a message and a custom packet, and stop saving', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'toxlink-node-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const local = ['--host', '127.0.0.1', '--udp-port', '0'];
  const boot = toxlink(t, ['node', '--json', '--profile', join(dir, 'boot.json'), ...local, '--tcp-port', '0']);
  const ready = json(await boot.waitLine(isEvent('ready')));
  t.regex(ready['dhtKey'] as string, /^[0-9A-F]{64}$/);
  t.true((ready['udpPort'] as number) > 0 && (ready['tcpPort'] as number) > 0);
  t.notThrows(() => parseToxId(ready['toxId'] as string));
  t.is(ready['origin'], 'created');

  const via = ['--bootstrap', `127.0.0.1:${ready['udpPort']}:${ready['dhtKey']}`, '--tcp-relay', `127.0.0.1:${ready['tcpPort']}:${ready['dhtKey']}`];
  const alice = toxlink(t, ['node', '--json', '--profile', join(dir, 'alice.json'), ...local, '--no-relay', ...via]);
  const bob = toxlink(t, ['node', '--json', '--profile', join(dir, 'bob.json'), ...local, '--no-relay', ...via]);
  const a = json(await alice.waitLine(isEvent('ready')));
  const b = json(await bob.waitLine(isEvent('ready')));
  t.is(a['tcpPort'], null);

  // Alice asks, Bob accepts: both online.
  const start = Date.now();
  const added = await command(alice, { cmd: 'add_friend', id: 1, toxId: b['toxId'], message: 'hi Bob, it is Alice' });
  t.deepEqual(added, { ok: true, id: 1, friend: 0 });
  const request = json(await bob.waitLine(isEvent('friend_request'), ONLINE_MS));
  t.log(`friend request arrived ${Date.now() - start} ms after add_friend`);
  t.is(request['publicKey'], a['publicKey']);
  t.is(request['message'], 'hi Bob, it is Alice');
  t.like(await command(bob, { cmd: 'accept', id: 7, publicKey: request['publicKey'] }), { ok: true, id: 7, friend: 0 });
  const t0 = Date.now();
  const aliceSees = json(await alice.waitLine(isEvent('friend_status', (e) => e['online'] === true), ONLINE_MS));
  const bobSees = json(await bob.waitLine(isEvent('friend_status', (e) => e['online'] === true), ONLINE_MS));
  t.log(`online both ways ${Date.now() - t0} ms after the accept`);
  t.like(aliceSees, { friend: 0, publicKey: b['publicKey'], online: true });
  t.true(['udp', 'tcp'].includes(aliceSees['path'] as string) && ['udp', 'tcp'].includes(bobSees['path'] as string));

  // A message one way, a custom lossless packet the other.
  const sent = await command(alice, { cmd: 'send_message', id: 2, friend: 0, text: 'hello from alice ✓' });
  t.like(sent, { ok: true, id: 2, messageId: 1 });
  const message = json(await bob.waitLine(isEvent('message'), 10_000));
  t.like(message, { friend: 0, publicKey: a['publicKey'], type: 'normal', text: 'hello from alice ✓' });
  await alice.waitLine(isEvent('read_receipt', (e) => e['messageId'] === 1), 10_000);
  t.like(await command(bob, { cmd: 'send_custom', id: 3, friend: a['publicKey'], hex: 'a0c0ffee', lossless: true }), { ok: true, sent: true });
  t.like(json(await alice.waitLine(isEvent('custom_packet'), 10_000)), { friend: 0, lossless: true, hex: 'a0c0ffee' });

  // Mistakes are answered, not fatal.
  t.like(await command(alice, { cmd: 'add_friend', id: 4, toxId: 'not a tox id', message: 'x' }), { ok: false, id: 4, code: 'bad-address' });
  t.like(await command(alice, { cmd: 'send_message', id: 5, friend: 9, text: 'x' }), { ok: false, code: 'friend-not-found' });
  t.like(await command(alice, { cmd: 'frobnicate', id: 6 }), { ok: false, error: 'unknown cmd "frobnicate"' });
  alice.send('{not json');
  t.like(json(await alice.waitLine((l) => l.includes('not JSON'))), { ok: false, id: null });
  const friends = await command(alice, { cmd: 'friends', id: 8 });
  t.like((friends['friends'] as Array<Record<string, unknown>>)[0], { friend: 0, publicKey: b['publicKey'], status: 'online' });

  // `toxlink status` reads the running node's snapshot.
  const status = toxlink(t, ['status', '--json', '--profile', join(dir, 'alice.json')]);
  t.is(await status.exited, 0);
  const snap = json(status.lines[0]!);
  t.like(snap, { live: true, command: 'node', toxId: a['toxId'], pid: alice.pid });
  t.is((snap['friends'] as unknown[]).length, 1);
  const text = toxlink(t, ['status', '--profile', join(dir, 'alice.json')]);
  t.is(await text.exited, 0);
  t.regex(text.lines[0]!, new RegExp(`^toxlink node running \\(pid ${alice.pid}, started .*\\); snapshot \\d+ s ago$`));
  t.true(text.lines.includes(`Tox ID ${a['toxId'] as string}`));
  t.regex(text.lines.find((l) => l.startsWith('dht '))!, /^dht connected, \d+ nodes; onion (not )?connected$/);
  t.regex(text.lines.at(-1)!, /^ {2}0 {2}[0-9A-F]{16} {2}online \((udp|tcp)\)$/);

  // Alice quits by command, Bob by SIGTERM: both exit 0 with Bob's and Alice's friendship saved.
  t.like(await command(alice, { cmd: 'quit', id: 9 }), { ok: true });
  t.is(await alice.exited, 0);
  t.like(json(alice.lines.at(-1)!), { event: 'stopped', reason: 'quit', saved: true });
  t.is(await bob.stop('SIGTERM'), 0);
  t.like(json(bob.lines.at(-1)!), { event: 'stopped', reason: 'SIGTERM', saved: true });
  const bobProfile = await readProfileFile(join(dir, 'bob.json'));
  t.is(bobProfile.friends.length, 1);
  t.is(toHex(bobProfile.friends[0]!.publicKey).toUpperCase(), a['publicKey'] as string);
  t.true(bobProfile.friends[0]!.lastSeen > 0n, 'last seen is saved');
  t.true(bobProfile.dhtNodes.length > 0, 'the DHT nodes to start from next time are saved');
  t.is((await readProfileFile(join(dir, 'alice.json'))).friends.length, 1);
  t.is(await boot.stop('SIGINT'), 0);

  // Not running any more: status says so, with exit code 3.
  const after = toxlink(t, ['status', '--profile', join(dir, 'alice.json')]);
  t.is(await after.exited, 3);
  t.regex(after.lines[0]!, /^no toxlink running on this profile/);
});

test('human output: banner on stdout, progress on stderr, SIGTERM saves and exits 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'toxlink-node-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const node = toxlink(t, ['node', '--profile', join(dir, 'p.json'), '--host', '127.0.0.1', '--udp-port', '0', '--tcp-port', '0']);
  t.regex(await node.waitLine(/^toxlink node: Tox ID/), /^toxlink node: Tox ID [0-9A-F]{76}$/);
  await node.waitLine(/^profile /);
  t.regex(node.lines[1]!, /^dht key [0-9A-F]{64}$/);
  t.regex(node.lines[2]!, /^udp 127\.0\.0\.1:\d+$/);
  t.regex(node.lines[3]!, /^tcp 127\.0\.0\.1:\d+ \(TCP relay\)$/);
  t.is(await node.stop('SIGTERM'), 0);
  t.regex(node.stderr(), /joining the DHT/);
  t.regex(node.stderr(), /stopped on SIGTERM; profile saved/);
  t.notRegex(node.stderr(), /\n\s+at /);
  t.is((await readProfileFile(join(dir, 'p.json'))).friends.length, 0);
});
