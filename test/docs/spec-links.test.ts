import test from 'ava';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSpecLinks, headingsOf } from './spec-links.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('every link between spec/ and src/ resolves, both ways', (t) => {
  const problems = checkSpecLinks(root);
  t.deepEqual(problems, [], problems.join('\n'));
});

test('heading anchors follow GitHub rules, repeats numbered', (t) => {
  const heads = headingsOf('# Title\n## Packed node format\n## `ByteReader` and writer\n```\n## not a heading\n```\n## Packed node format\n');
  t.deepEqual(heads.map((h) => h.anchor), ['title', 'packed-node-format', 'bytereader-and-writer', 'packed-node-format-1']);
});

test('the checker reports each kind of broken link', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'toxlink-links-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'spec'));
  mkdirSync(join(dir, 'src', 'x'), { recursive: true });
  writeFileSync(join(dir, 'spec', 'x.md'), [
    '# X', '## Good', '[`good`](../src/x/good.ts)', '## Missing symbol', '[`nope`](../src/x/good.ts)',
    '## No file', '[`gone`](../src/x/gone.ts)', '## One way', '[`lonely`](../src/x/lonely.ts)', '',
  ].join('\n'));
  writeFileSync(join(dir, 'src', 'x', 'good.ts'), '/** @see spec/x.md#good\n @see spec/x.md#missing-symbol */\nexport const good = 1;\n');
  writeFileSync(join(dir, 'spec', 'y.md'), '# Y\n## Other\n');
  writeFileSync(join(dir, 'src', 'x', 'lonely.ts'), '/** @see spec/y.md#other */\nexport function lonely() {}\n');
  writeFileSync(join(dir, 'src', 'x', 'dangling.ts'), '/** @see spec/y.md#no-such-heading */\nexport const d = 1;\n');
  writeFileSync(join(dir, 'src', 'x', 'silent.ts'), 'export const silent = 1;\n');
  writeFileSync(join(dir, 'src', 'x', 'wrong.ts'), '/** @see spec/nope.md#a */\nexport const w = 1;\n');
  const problems = checkSpecLinks(dir);
  const has = (s: string) => t.true(problems.some((p) => p.includes(s)), `expected a problem mentioning ${s}:\n${problems.join('\n')}`);
  has('does not declare nope');
  has('src/x/gone.ts — no such file');
  has('#no-such-heading — no such heading');
  has('src/x/lonely.ts does not link back');
  has('src/x/silent.ts: links to no spec section');
  has('spec/nope.md — no such chapter');
  t.false(problems.some((p) => p.includes('does not declare good')));
  t.is(problems.length, 6, problems.join('\n'));
});
