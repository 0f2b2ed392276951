/**
 * The package a user installs: `npm pack` gives a tarball that installs into an empty
 * folder, and there `toxlink --help` runs, `import … from 'toxlink'` works at run time, and
 * its types check with `tsc` (a wrong type is an error, so the types are real, not `any`).
 *
 * Offline: the package is built and packed from a copy of the repository (so the shared
 * dist/ is left alone), and the empty folder's package.json `overrides` point each of its
 * dependencies, and theirs, at this repository's node_modules (`file:` links, from
 * package-lock.json), so `npm install --offline` needs no registry. What is checked is the
 * tarball: its files, its `bin`, its `exports` and `types`, and the names of its
 * dependencies (one it does not declare is not in the folder, and its import fails).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

interface Run {
  readonly code: number;
  readonly out: string;
}

/** Runs a command (killed by its PID after `ms`); resolves with its exit code and output. */
function run(cmd: string, args: readonly string[], cwd: string, ms = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: ms, killSignal: 'SIGKILL', maxBuffer: 16 << 20, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

/** The production dependencies of the package, with theirs, from package-lock.json. */
function dependencyClosure(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: object; optionalDependencies?: object };
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dependencies?: object; optionalDependencies?: object }>;
  };
  const seen = new Set<string>();
  const queue = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})];
  while (queue.length > 0 && seen.size < 1000) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const entry = lock.packages[`node_modules/${name}`];
    if (entry !== undefined) queue.push(...Object.keys({ ...entry.dependencies, ...entry.optionalDependencies }));
  }
  return [...seen].sort();
}

const CONSUMER = `import { crypto, messenger, mux, wire, type io } from 'toxlink';

const keys: crypto.KeyPair = crypto.generateKeyPair();
export const id: string = wire.formatToxId({ publicKey: keys.publicKey, nospam: 7 });

export async function channels(network: io.Network, clock: io.Clock): Promise<mux.ConnectionManager> {
  const node = await messenger.ToxNode.start({ network, clock, realKeyPair: keys });
  return new mux.ConnectionManager({ selfKey: node.realKeyPair.publicKey, connector: mux.friendConnector(node.friends), clock });
}

// @ts-expect-error a Tox ID is a string: the package's types are real
export const wrong: number = id;
`;

test('npm pack gives a package that installs into an empty folder offline, with a working toxlink command and typed imports', async (t) => {
  t.timeout(180_000);
  const npmVersion = await run('npm', ['--version'], root, 20_000);
  if (npmVersion.code !== 0) {
    t.log(`SKIPPED LOUDLY: npm is not on PATH here (${npmVersion.out.trim()}), so the package cannot be packed or installed`);
    t.pass();
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'toxlink-package-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const timings: string[] = [];
  const step = async (what: string, cmd: string, args: readonly string[], cwd: string, ms?: number): Promise<string> => {
    const started = Date.now();
    const r = await run(cmd, args, cwd, ms);
    timings.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.out}`);
    return r.out;
  };

  // Build and pack from a copy, as `npm pack` would after its prepare script.
  const stage = join(work, 'stage');
  for (const entry of ['package.json', 'README.md', 'bin', 'spec', 'src', 'tsconfig.json', 'tsconfig.build.json']) {
    cpSync(join(root, entry), join(stage, entry), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'), 'dir');
  await step('build', process.execPath, [tsc, '-p', 'tsconfig.build.json'], stage, 120_000);
  const packed = await step('pack', 'npm', ['pack', '--ignore-scripts', '--pack-destination', work], stage);
  const tarballs = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  t.is(tarballs.length, 1, packed);
  const tarball = join(work, tarballs[0]!);

  // An empty folder; its dependencies resolved to this repository's copies, offline.
  const app = join(work, 'app');
  const overrides = Object.fromEntries(dependencyClosure().map((name) => [name, `file:${join(root, 'node_modules', name)}`]));
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'toxlink-user', private: true, type: 'module', overrides }, null, 2));
  await step('npm install', 'npm', [
    'install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--cache', join(work, 'npm-cache'), tarball,
  ], app, 120_000);
  const installed = JSON.parse(readFileSync(join(app, 'node_modules', 'toxlink', 'package.json'), 'utf8')) as { name: string; version: string };
  t.is(installed.name, 'toxlink');

  // The command.
  const help = await step('toxlink --help', join(app, 'node_modules', '.bin', 'toxlink'), ['--help'], app);
  for (const command of ['id', 'node', 'status', 'chat', 'expose', 'forward', 'demo', 'relay']) {
    t.regex(help, new RegExp(`^ {2}${command} `, 'm'), `toxlink --help lists ${command}`);
  }
  const version = await step('toxlink --version', join(app, 'node_modules', '.bin', 'toxlink'), ['--version'], app);
  t.is(version.trim(), installed.version);
  const demo = await step('toxlink demo --sim', join(app, 'node_modules', '.bin', 'toxlink'), ['demo', '--sim', '--json', '--size', '256K'], app, 90_000);
  t.true((JSON.parse(demo.trim().split('\n').pop()!) as { ok: boolean }).ok, 'the installed demo runs, every hash matching');

  // The import, at run time and in types.
  const imported = await step('import', process.execPath, ['--input-type=module', '-e', `
    import * as toxlink from 'toxlink';
    const keys = toxlink.crypto.generateKeyPair();
    console.log(JSON.stringify({ names: Object.keys(toxlink).sort(), id: toxlink.wire.formatToxId({ publicKey: keys.publicKey, nospam: 1 }) }));
  `], app);
  const got = JSON.parse(imported.trim()) as { names: string[]; id: string };
  t.deepEqual(got.names, ['crypto', 'dht', 'friend', 'io', 'messenger', 'mux', 'netcrypto', 'onion', 'relay', 'wire']);
  t.regex(got.id, /^[0-9A-F]{76}$/);
  writeFileSync(join(app, 'index.ts'), CONSUMER);
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false,
      // A user installs @types/node; here it is the repository's.
      types: ['node'], typeRoots: [join(root, 'node_modules', '@types')],
    },
    files: ['index.ts'],
  }));
  await step('tsc on a user\'s file', process.execPath, [tsc, '-p', 'tsconfig.json'], app, 120_000);
  t.log(timings.join(', '));
});
