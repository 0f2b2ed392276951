/**
 * Where the command keeps a profile, and opening it: the default path under the user's
 * config directory, the files that sit next to a profile (the status snapshot, the lock),
 * creating a profile on first use, importing a c-toxcore save, and the lock that keeps two
 * running toxlink processes from writing one profile.
 *
 * @see spec/cli.md#the-profile
 * @module
 */
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { generateKeyPair, randomUniform } from '../crypto/index.ts';
import {
  type Profile, ProfileError, ToxSaveError, importToxSaveFile, newProfile, readProfileFile, writeProfileFile,
} from '../messenger/index.ts';
import { CliError } from './errors.ts';

/** The profile's file name in the config directory. */
export const PROFILE_FILE_NAME = 'profile.json';

/**
 * The default profile: `$XDG_CONFIG_HOME/toxlink/profile.json`, or
 * `~/.config/toxlink/profile.json` when `XDG_CONFIG_HOME` is unset or not absolute (as the
 * XDG base directory rules say).
 */
export function defaultProfilePath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const config = xdg !== undefined && xdg.startsWith('/') ? xdg : join(home, '.config');
  return join(config, 'toxlink', PROFILE_FILE_NAME);
}

/** A file next to the profile: `profile.json` → `profile.<suffix>`. */
function beside(profilePath: string, suffix: string): string {
  const name = basename(profilePath);
  const stem = name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
  return join(dirname(profilePath), `${stem}.${suffix}`);
}

/** The status snapshot a running node writes next to its profile (`profile.status.json`). */
export function statusPathFor(profilePath: string): string {
  return beside(profilePath, 'status.json');
}

/** The lock file of a profile in use (`profile.lock`, holding the process id). */
export function lockPathFor(profilePath: string): string {
  return beside(profilePath, 'lock');
}

/** A profile as opened: where, what, and whether it was made or imported just now. */
export interface OpenedProfile {
  readonly path: string;
  readonly profile: Profile;
  readonly origin: 'loaded' | 'created' | 'imported';
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new ProfileError('read-failed', `cannot look at ${path} (${(error as Error).message})`, { cause: error });
  }
}

async function makeDirectory(path: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new CliError(`cannot make the directory of ${path} (${(error as Error).message}); choose another place with --profile`, { cause: error });
  }
}

/**
 * Opens the profile at `path`: reads it, or makes a new identity there on first use
 * (fresh key pair, random nospam), or, with `importTox`, makes it from a c-toxcore save
 * (refused if a profile is there already: the import would replace an identity).
 * Throws a `ProfileError`, `ToxSaveError` or {@link CliError}.
 */
export async function openProfile(path: string, options: { importTox?: string | undefined } = {}): Promise<OpenedProfile> {
  const present = await exists(path);
  if (options.importTox !== undefined) {
    if (present) {
      throw new CliError(`a profile exists already at ${path}; --import-tox would replace its identity: move it away or choose a new --profile path`);
    }
    const from = options.importTox;
    const profile = await importToxSaveFile(from).catch((error: unknown) => {
      if (error instanceof ToxSaveError) throw new CliError(`cannot import the c-toxcore save ${from}: ${error.message}`, { cause: error });
      throw error;
    });
    await makeDirectory(path);
    await writeProfileFile(path, profile);
    return { path, profile, origin: 'imported' };
  }
  if (present) return { path, profile: await readProfileFile(path).catch((error: unknown) => { throw named(error, path); }), origin: 'loaded' };
  const profile = newProfile(generateKeyPair().secretKey, randomUniform(2 ** 32) >>> 0);
  await makeDirectory(path);
  await writeProfileFile(path, profile);
  return { path, profile, origin: 'created' };
}

/** A profile error whose message names the file (the decoder's do not). */
function named(error: unknown, path: string): unknown {
  if (!(error instanceof ProfileError) || error.message.includes(path)) return error;
  return new ProfileError(error.code, `${path}: ${error.message}`, { cause: error });
}

/** Whether a process with this id is running (a signal 0 reaches it, or it is someone else's). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A held profile lock; `release` removes the lock file if it is still ours. */
export interface ProfileLock {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * Takes the profile's lock: a file created exclusively, holding our process id. A lock left
 * by a process that is gone is taken over; one held by a running process is a
 * {@link CliError} that names it.
 */
export async function lockProfile(profilePath: string): Promise<ProfileLock> {
  const path = lockPathFor(profilePath);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      return {
        path,
        release: async () => {
          const text = await readFile(path, 'utf8').catch(() => '');
          if (Number.parseInt(text, 10) === process.pid) await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new CliError(`cannot make the lock file ${path} (${(error as Error).message}); check the directory's permissions`, { cause: error });
      }
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (processAlive(holder) && holder !== process.pid) {
        throw new CliError(`the profile ${profilePath} is in use by another toxlink (pid ${holder}): stop it, or choose another --profile`);
      }
      await unlink(path).catch(() => undefined);
    }
  }
  throw new CliError(`cannot take the lock ${path}: another toxlink keeps taking it`);
}
