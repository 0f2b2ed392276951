/**
 * Finds the c-toxcore tools the interop suite needs and builds our C peer
 * (`peer/toxpeer.c`) into `build/toxpeer` with the system compiler.
 *
 * The suite is pinned to c-toxcore 0.2.18 (Debian `libtoxcore-dev` + `toxcore-utils`):
 * the reference implementation that toxlink must be wire-compatible with.
 *
 * Environment overrides: `CC` (compiler, default `cc`), `TOX_BOOTSTRAPD` (path to the
 * daemon, default: searched on PATH, then /usr/bin and /usr/sbin).
 *
 * @module
 */
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The C peer's source. */
export const PEER_SOURCE = path.join(HERE, 'peer', 'toxpeer.c');
/** Where build artefacts go (gitignored). */
export const BUILD_DIR = path.join(HERE, 'build');
/** The built C peer. */
export const PEER_BINARY = path.join(BUILD_DIR, 'toxpeer');
/** The c-toxcore version the suite is pinned to. */
export const REQUIRED_TOXCORE_VERSION = '0.2.18';

/** Bound on each probe (pkg-config, cc --version). */
const PROBE_TIMEOUT_MS = 10_000;
/** Bound on one compile of the peer. */
const COMPILE_TIMEOUT_MS = 120_000;

/** What the interop suite needs from the machine, found or not. */
export type Availability =
  | { ok: true; toxcoreVersion: string; cflags: string[]; libs: string[]; cc: string; bootstrapd: string }
  | { ok: false; why: string };

let cached: Availability | undefined;

function compiler(): string {
  return process.env['CC'] !== undefined && process.env['CC'] !== '' ? process.env['CC'] : 'cc';
}

/** Runs a probe command; returns its trimmed stdout, or throws with a one-line reason. */
function probe(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, {
      encoding: 'utf8',
      timeout: PROBE_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${file} not installed`);
    const detail = (e.stderr ?? '').trim().split('\n')[0] ?? '';
    throw new Error(`${file} ${args.join(' ')} failed${detail !== '' ? `: ${detail}` : ''}`);
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The tox-bootstrapd binary: $TOX_BOOTSTRAPD, else PATH, else /usr/bin and /usr/sbin. */
export function findBootstrapd(): string | undefined {
  const override = process.env['TOX_BOOTSTRAPD'];
  if (override !== undefined && override !== '') return isExecutable(override) ? override : undefined;
  const dirs = (process.env['PATH'] ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const dir of [...dirs, '/usr/bin', '/usr/sbin']) {
    const candidate = path.join(dir, 'tox-bootstrapd');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Whether c-toxcore 0.2.18 (headers and library via pkg-config), a C compiler and
 * tox-bootstrapd are all present. Probed once per process; never throws.
 */
export function cToxcoreAvailable(): Availability {
  cached ??= probeAvailability();
  return cached;
}

function probeAvailability(): Availability {
  let toxcoreVersion: string;
  let cflags: string[];
  let libs: string[];
  try {
    toxcoreVersion = probe('pkg-config', ['--modversion', 'toxcore']);
    cflags = splitFlags(probe('pkg-config', ['--cflags', 'toxcore']));
    libs = splitFlags(probe('pkg-config', ['--libs', 'toxcore']));
  } catch (err) {
    return { ok: false, why: `c-toxcore not found (${(err as Error).message})` };
  }
  if (toxcoreVersion !== REQUIRED_TOXCORE_VERSION) {
    return {
      ok: false,
      why: `pkg-config toxcore reports version ${toxcoreVersion}; the interop suite is pinned to ${REQUIRED_TOXCORE_VERSION}`,
    };
  }
  const cc = compiler();
  try {
    probe(cc, ['--version']);
  } catch (err) {
    return { ok: false, why: `no C compiler (${(err as Error).message})` };
  }
  const bootstrapd = findBootstrapd();
  if (bootstrapd === undefined) {
    return { ok: false, why: 'tox-bootstrapd not found (package toxcore-utils)' };
  }
  return { ok: true, toxcoreVersion, cflags, libs, cc, bootstrapd };
}

function splitFlags(text: string): string[] {
  return text.split(/\s+/).filter((f) => f !== '');
}

async function mtimeMs(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

let building: Promise<string> | undefined;

/**
 * Compiles the C peer when `build/toxpeer` is missing or older than its source, and
 * returns the binary's path. Safe against other test processes building at the same time:
 * each compiles to its own temporary file and renames it into place.
 */
export function buildPeer(): Promise<string> {
  if (building === undefined) {
    const attempt = buildPeerOnce();
    building = attempt;
    attempt.catch(() => {
      if (building === attempt) building = undefined; // let a later call try again
    });
  }
  return building;
}

async function buildPeerOnce(): Promise<string> {
  const available = cToxcoreAvailable();
  if (!available.ok) throw new Error(`cannot build the C peer: ${available.why}`);
  const source = await mtimeMs(PEER_SOURCE);
  if (source === undefined) throw new Error(`C peer source missing: ${PEER_SOURCE}`);
  const binary = await mtimeMs(PEER_BINARY);
  if (binary !== undefined && binary >= source) return PEER_BINARY;

  await mkdir(BUILD_DIR, { recursive: true });
  const temp = `${PEER_BINARY}.${process.pid}.${Date.now()}.tmp`;
  const args = ['-std=c11', '-O2', '-g', '-Wall', '-Wextra', ...available.cflags, '-o', temp, PEER_SOURCE, ...available.libs];
  try {
    await execFileAsync(available.cc, args, { timeout: COMPILE_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 });
    await rename(temp, PEER_BINARY);
  } catch (err) {
    await rm(temp, { force: true });
    const e = err as Error & { stderr?: string };
    throw new Error(`compiling the C peer failed: ${available.cc} ${args.join(' ')}\n${e.stderr ?? e.message}`);
  }
  return PEER_BINARY;
}
