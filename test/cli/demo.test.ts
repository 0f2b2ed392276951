import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runDemo } from '../../src/cli/demo.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('the demo delivers boxed datagrams through a NAT and refuses a damaged one, in simulated time', async (t) => {
  const lines: string[] = [];
  const r = await runDemo({ seed: 7, messages: 200, lossRate: 0.1, print: (l) => lines.push(l) });
  t.is(r.sent, 200);
  t.true(r.receivedByBob > 150 && r.receivedByBob < 200, `bob got ${r.receivedByBob} of 200 at 10 % loss`);
  t.true(r.echoedToAlice <= r.receivedByBob);
  t.is(r.rejectedByBob, 1, 'exactly the one damaged datagram is refused');
  t.true(r.simulatedMs >= 200 * 100, 'the run covers 20 simulated seconds');
  t.regex(lines[0]!, /^alice {2}[0-9A-F]{76}$/);
});

test('the same seed gives the same run', async (t) => {
  const quiet = () => {};
  const a = await runDemo({ seed: 3, messages: 50, lossRate: 0.2, print: quiet });
  const b = await runDemo({ seed: 3, messages: 50, lossRate: 0.2, print: quiet });
  const { wallMs: _a, ...ra } = a;
  const { wallMs: _b, ...rb } = b;
  t.deepEqual(ra, rb);
});

test('a bad option is one clear line on stderr, not a stack trace', async (t) => {
  const out = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, ['--import=tsx', '-e', "import('./src/cli/main.ts').then((m) => m.main(['node', 'toxlink', 'demo', '--loss', '2']))"],
      { cwd: root, timeout: 30_000 }, (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }));
  });
  t.is(out.code, 1);
  t.regex(out.stderr, /expected a number from 0 to below 1/);
  t.notRegex(out.stderr, /\n\s+at /, 'no stack trace');
});
