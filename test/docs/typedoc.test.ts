// The API reference, with the spec chapters as its project documents, builds without a single
// warning (typedoc.json sets treatWarningsAsErrors), so a broken {@link} or a spec chapter
// missing from the site fails the suite.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('typedoc builds the API reference and every spec chapter without warnings', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'toxlink-docs-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const cli = join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(process.execPath, [cli, '--out', out], { cwd: root, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: stdout + stderr });
    });
  });
  t.is(result.code, 0, result.output);
  t.notRegex(result.output, /\[warning\]|\[error\]/, result.output);
  const config = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as { projectDocuments: string[] };
  const chapters = readdirSync(join(root, 'spec')).filter((f) => f.endsWith('.md')).map((f) => `spec/${f}`).sort();
  t.deepEqual([...config.projectDocuments].sort(), chapters, 'every spec chapter is part of the docs site');
  t.true(existsSync(join(out, 'index.html')));
  t.true(readdirSync(join(out, 'documents')).length >= chapters.length);
});
