/**
 * toxlink's src/ as plain JavaScript, for benches that set it beside JavaScript libraries.
 *
 * The benches run under tsx, whose transform keeps function names by wrapping every
 * function and class in a helper that defines its `name`: each closure then carries a
 * property table of its own (about 256 bytes) and costs a call when it is made. That is an
 * artifact of running TypeScript in development, not of toxlink — the package ships what
 * tsc emits — and it weighs on exactly what bench/mux.ts compares (an idle channel makes a
 * dozen closures; its memory figure doubled under tsx). So the toxlink side of that bench
 * runs on src/ transpiled file by file with TypeScript's own `transpileModule` (no type
 * check, no renaming), into node_modules/.cache/toxlink-bench/ so that its imports of
 * packages resolve; so does the harness around every multiplexer there (`BENCH_FILES`).
 * Files are transpiled again only when their source is newer.
 *
 * @module
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Where the JavaScript goes: `src/…` and `bench/…` below it, as in the repository. */
export const COMPILED_DIR = join(root, 'node_modules', '.cache', 'toxlink-bench');

/**
 * The bench files that run as JavaScript beside src/: the harness around the multiplexers
 * of bench/mux.ts, so that none of them (toxlink or the others) pays tsx's price either.
 */
const BENCH_FILES = ['mux-link.ts', 'mux-impls.ts', 'mux-alone.ts'];

const options: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  verbatimModuleSyntax: true,
  rewriteRelativeImportExtensions: true,
  sourceMap: false,
};

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** Transpiles src/ and the bench harness where the source is newer; returns how many files were written. */
export function compileSrc(): number {
  let written = 0;
  mkdirSync(COMPILED_DIR, { recursive: true });
  // The cache is under node_modules, where package.json scopes stop: say it is ESM.
  writeFileSync(join(COMPILED_DIR, 'package.json'), '{"type":"module","private":true}\n');
  const files = [...sources(join(root, 'src')), ...BENCH_FILES.map((f) => join(root, 'bench', f))];
  for (const file of files) {
    const out = join(COMPILED_DIR, relative(root, file)).replace(/\.ts$/, '.js');
    if (existsSync(out) && statSync(out).mtimeMs >= statSync(file).mtimeMs) continue;
    const result = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, result.outputText);
    written++;
  }
  return written;
}

/** Imports `path` (relative to the repository, `.ts`) from the transpiled tree, transpiling first if needed. */
export async function importCompiled<T>(path: string): Promise<T> {
  compileSrc();
  return (await import(pathToFileURL(join(COMPILED_DIR, path.replace(/\.ts$/, '.js'))).href)) as T;
}

/** The bench harness of bench/mux.ts, from the transpiled tree or as tsx runs it. */
export interface Harness {
  readonly impls: typeof import('./mux-impls.ts');
  readonly alone: typeof import('./mux-alone.ts');
}

/** The harness as plain JavaScript (`compiled`), or bench/ as tsx runs it. */
export async function loadHarness(build: 'compiled' | 'source'): Promise<Harness> {
  if (build === 'source') return { impls: await import('./mux-impls.ts'), alone: await import('./mux-alone.ts') };
  return { impls: await importCompiled('bench/mux-impls.ts'), alone: await importCompiled('bench/mux-alone.ts') };
}

/** The parts of toxlink the benches use, loaded from src/ (under tsx) or from the transpiled tree. */
export interface Toxlink {
  readonly mux: typeof import('../src/mux/index.ts');
  readonly io: typeof import('../src/io/index.ts');
  readonly crypto: typeof import('../src/crypto/index.ts');
  readonly netcrypto: typeof import('../src/netcrypto/index.ts');
  /** 'compiled' (transpiled JavaScript) or 'source' (TypeScript under tsx). */
  readonly build: 'compiled' | 'source';
}

/** toxlink as plain JavaScript (`compiled`), or src/ as tsx runs it. */
export async function loadToxlink(build: 'compiled' | 'source'): Promise<Toxlink> {
  if (build === 'source') {
    return {
      mux: await import('../src/mux/index.ts'), io: await import('../src/io/index.ts'),
      crypto: await import('../src/crypto/index.ts'), netcrypto: await import('../src/netcrypto/index.ts'), build,
    };
  }
  compileSrc();
  return {
    mux: await importCompiled('src/mux/index.ts'), io: await importCompiled('src/io/index.ts'),
    crypto: await importCompiled('src/crypto/index.ts'), netcrypto: await importCompiled('src/netcrypto/index.ts'), build,
  };
}
