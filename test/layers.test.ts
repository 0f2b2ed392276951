// The layer rule of DESIGN.md, checked by dependency-cruiser (.dependency-cruiser.cjs) on the
// real import graph of src/, plus a fixture that proves the check can fail.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const config = join(root, '.dependency-cruiser.cjs');

interface Violation { rule: { name: string }; from: string; to: string }

function cruise(cwd: string): Promise<Violation[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli, 'src', '--config', config, '--output-type', 'json'], { cwd, timeout: 60_000, maxBuffer: 64 << 20 }, (err, stdout) => {
      try {
        resolve((JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations);
      } catch {
        reject(err ?? new Error('dependency-cruiser printed no JSON'));
      }
    });
  });
}

test('src/ keeps the layer rule', async (t) => {
  const violations = await cruise(root);
  t.deepEqual(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`), []);
});

test('the layer check catches an upward import, an inner-file import and libsodium outside crypto', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'toxlink-layers-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  file('tsconfig.json', '{"compilerOptions":{"module":"NodeNext","moduleResolution":"NodeNext","allowImportingTsExtensions":true,"noEmit":true}}');
  file('src/wire/index.ts', "export { r } from './reader.ts';\n");
  file('src/wire/reader.ts', 'export const r = 1;\n');
  file('src/friend/index.ts', 'export const f = 1;\n');
  file('src/dht/index.ts', "import { r } from '../wire/reader.ts';\nimport { f } from '../friend/index.ts';\nimport s from 'libsodium-wrappers';\nexport const d = [r, f, s];\n");
  const names = (await cruise(dir)).map((v) => `${v.rule.name} ${v.to}`).sort();
  t.true(names.includes('layer-dht src/friend/index.ts'), names.join('\n'));
  t.true(names.includes('enter-through-index src/wire/reader.ts'), names.join('\n'));
  t.true(names.some((n) => n.startsWith('sodium-only-in-crypto')), names.join('\n'));
});
