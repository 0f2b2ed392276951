/**
 * The two-way link check between spec/ and src/. It is a library so that its own test can
 * run it on a broken fixture and see it fail.
 *
 * Rules:
 * 1. code → spec: every `@see spec/<chapter>.md#<anchor>` in src/ names a chapter that
 *    exists and a heading in it.
 * 2. spec → code: every markdown link from a chapter into src/ names a file that exists;
 *    when the link text is a symbol in backticks, that file declares the symbol.
 * 3. both ways: a source file of a chapter's own layer (spec/dht.md ↔ src/dht/) that the
 *    chapter links to links back to that chapter, to the section it implements. Links to
 *    other layers' files (a mention, not an implementation) need only resolve.
 * 4. every source file in src/ links to the spec at least once.
 */
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, `-N` for repeats. */
export function slugify(heading: string, seen: Map<string, number>): string {
  const base = heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
  const n = seen.get(base) ?? 0;
  seen.set(base, n + 1);
  return n === 0 ? base : `${base}-${n}`;
}

interface Heading { level: number; anchor: string; line: number }

/** Headings of a markdown text, outside fenced code blocks. */
export function headingsOf(markdown: string): Heading[] {
  const seen = new Map<string, number>();
  const out: Heading[] = [];
  let fenced = false;
  markdown.split('\n').forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) return;
    const m = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (m) out.push({ level: m[1]!.length, anchor: slugify(m[2]!, seen), line: i + 1 });
  });
  return out;
}

function walk(dir: string, keep: (name: string) => boolean, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, keep, out);
    else if (keep(name)) out.push(p);
  }
  return out;
}

function declares(source: string, symbol: string): boolean {
  const esc = symbol.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const decl = new RegExp(`export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:async\\s+)?(?:const|let|function\\*?|class|interface|type|enum)\\s+${esc}\\b`);
  const list = new RegExp(`export\\s+(?:type\\s+)?\\{[^}]*\\b${esc}\\b[^}]*\\}`);
  return decl.test(source) || list.test(source);
}

/** Checks the links of a project rooted at `root` (with `spec/` and `src/`); returns one line per broken link. */
export function checkSpecLinks(root: string): string[] {
  const problems: string[] = [];
  const specDir = join(root, 'spec');
  const srcDir = join(root, 'src');
  const chapters = new Map<string, Heading[]>();
  for (const file of walk(specDir, (n) => n.endsWith('.md'))) {
    chapters.set(relative(root, file).split(sep).join('/'), headingsOf(readFileSync(file, 'utf8')));
  }
  const sources = walk(srcDir, (n) => n.endsWith('.ts') && !n.endsWith('.d.ts'));
  const backLinks = new Map<string, Set<string>>(); // src file → "spec/x.md#anchor"

  // 1 and 4: code → spec.
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    const rel = relative(root, file).split(sep).join('/');
    const links = new Set<string>();
    for (const m of text.matchAll(/@see\s+(spec\/[\w./-]+\.md)(?:#([\w-]+))?/g)) {
      const chapter = m[1]!;
      const anchor = m[2];
      links.add(anchor ? `${chapter}#${anchor}` : chapter);
      const heads = chapters.get(chapter);
      if (!heads) problems.push(`${rel}: @see ${chapter} — no such chapter`);
      else if (anchor && !heads.some((h) => h.anchor === anchor)) problems.push(`${rel}: @see ${chapter}#${anchor} — no such heading`);
    }
    backLinks.set(rel, links);
    if (links.size === 0) problems.push(`${rel}: links to no spec section (add @see spec/<chapter>.md#<section>)`);
  }

  // 2 and 3: spec → code.
  for (const [chapter, heads] of chapters) {
    const text = readFileSync(join(root, chapter), 'utf8');
    const lines = text.split('\n');
    const linkRe = /\[([^\]]*)\]\(([^)\s]+)\)/g;
    lines.forEach((line, i) => {
      for (const m of line.matchAll(linkRe)) {
        const label = m[1]!;
        const target = m[2]!.split('#')[0]!;
        if (/^[a-z]+:/.test(target) || target === '') continue;
        const abs = resolve(dirname(join(root, chapter)), target);
        const rel = relative(root, abs).split(sep).join('/');
        if (!existsSync(abs)) { problems.push(`${chapter}:${i + 1}: link to ${target} — no such file`); continue; }
        if (!rel.startsWith('src/')) continue;
        const sym = /^`([A-Za-z_$][\w$]*)(?:\(\))?`$/.exec(label);
        if (sym && !declares(readFileSync(abs, 'utf8'), sym[1]!)) {
          problems.push(`${chapter}:${i + 1}: ${rel} does not declare ${sym[1]}`);
        }
        // The section this line is in (chapter title excluded), to suggest in the message.
        const containing = heads.filter((h) => h.line <= i + 1 && h.level >= 2).map((h) => h.anchor).reverse();
        const back = [...(backLinks.get(rel) ?? [])];
        const ownLayer = rel.startsWith(`src/${chapter.replace(/^spec\//, '').replace(/\.md$/, '')}/`);
        if (ownLayer && containing.length > 0 && !back.some((b) => b === chapter || b.startsWith(`${chapter}#`))) {
          problems.push(`${chapter}:${i + 1}: ${rel} does not link back (@see ${chapter}#${containing[0]})`);
        }
      }
    });
  }
  return problems;
}
