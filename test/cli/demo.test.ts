/**
 * `toxlink demo` as a user runs it: a local network on 127.0.0.1 (bootstrap node with a TCP
 * relay, Alice and Bob), a friend request through the onion, two files on two channels,
 * every hash matching, exit 0. The same scenario on the simulator with `--sim` (JSON
 * result), a run that times out (exit 1), and a bad option (one line, exit 1). Every child
 * is stopped by its PID; every wait is bounded.
 */
import test from 'ava';
import { json, toxlink } from './toxlink-child.ts';

test('toxlink demo on 127.0.0.1: Alice befriends Bob, sends two files on two channels, every sha256 matches, exit 0', async (t) => {
  const demo = toxlink(t, ['demo'], { limitMs: 120_000 });
  const code = await demo.exited;
  const out = demo.lines.join('\n');
  t.is(code, 0, `${out}\n${demo.stderr()}`);
  t.regex(out, /^alice {2}[0-9A-F]{76}$/m);
  t.regex(out, /^bob {4}[0-9A-F]{76}$/m);
  t.regex(out, /bob got alice's friend request through the onion after [\d.]+ s/);
  t.regex(out, /alice and bob are online to each other over (UDP|the TCP relay)/);
  for (const uri of ['file://a', 'file://b']) {
    t.regex(out, new RegExp(`^${uri} +100 % +8\\.0 MiB of 8\\.0 MiB`, 'm'), `${uri}: a plain progress line at 100 % (not a terminal)`);
    t.regex(out, new RegExp(`^${uri} {2}8\\.0 MiB in [\\d.]+ s {2}[\\d.]+ MiB/s {2}sha256 [0-9a-f]{16}… {2}matches what bob received$`, 'm'));
  }
  t.regex(out, /^demo done: 2 files, 16\.0 MiB at [\d.]+ MiB\/s, every sha256 matches/m);
  t.notRegex(out, /\x1b\[/, 'no terminal escapes when stdout is not a terminal');
  const took = /\(([\d.]+) s in all\)/.exec(out);
  t.log(`the demo took ${took?.[1]} s in all (shared machine)`);
});

test('toxlink demo --sim --json: the same scenario on the simulator, one JSON result with every hash', async (t) => {
  const demo = toxlink(t, ['demo', '--sim', '--json', '--size', '1M', '--files', '3'], { limitMs: 90_000 });
  t.is(await demo.exited, 0, demo.stderr());
  t.is(demo.lines.filter((l) => l !== '').length, 1, 'one line only');
  const r = json(demo.lines[0]!);
  t.is(r['event'], 'demo');
  t.true(r['ok']);
  t.is(r['network'], 'sim');
  const files = r['files'] as Array<Record<string, unknown>>;
  t.deepEqual(files.map((f) => f['uri']), ['file://a', 'file://b', 'file://c']);
  for (const f of files) {
    t.is(f['bytes'], 1024 * 1024);
    t.is(f['received'], 1024 * 1024);
    t.regex(f['sentSha256'] as string, /^[0-9a-f]{64}$/);
    t.is(f['receivedSha256'], f['sentSha256']);
    t.true(f['match']);
  }
  t.true((r['onlineMs'] as number) > (r['requestMs'] as number) && (r['requestMs'] as number) > 0);
  t.true((r['bytesPerSecond'] as number) > 0);
});

test('a demo that runs out of time says which step and exits 1', async (t) => {
  const demo = toxlink(t, ['demo', '--sim', '--timeout', '1'], { limitMs: 60_000 });
  t.is(await demo.exited, 1);
  t.regex(demo.stderr(), /^toxlink demo: failed: the friend request took longer than 1 s$/m);
  t.notRegex(demo.stderr(), /\n\s+at /, 'no stack trace');
});

test('a bad option is one clear line on stderr, not a stack trace', async (t) => {
  const demo = toxlink(t, ['demo', '--size', '0'], { limitMs: 60_000 });
  t.is(await demo.exited, 1);
  t.regex(demo.stderr(), /expected a size from 1 byte to 4G/);
  t.notRegex(demo.stderr(), /\n\s+at /, 'no stack trace');
});
