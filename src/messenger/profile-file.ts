/**
 * The storage edge: reading and writing profile files (toxlink's own, and c-toxcore's
 * savedata for import and export). A write never leaves a half-written file behind: it goes
 * to a temporary file in the same directory, is flushed to disk, renamed over the old one
 * (an atomic replace on POSIX file systems), and the directory is flushed so the rename
 * itself survives a power cut. A crash at any point leaves either the old file or the new
 * one, never a mix.
 *
 * Every file-system call goes through a {@link ProfileFs}, so a test can make any step fail.
 *
 * @see spec/messenger.md#writing-atomically
 * @module
 */
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from '../crypto/index.ts';
import { toHex } from '../wire/index.ts';
import { ProfileError } from './save-errors.ts';
import { MAX_PROFILE_BYTES, type Profile, profileFromToxSave, toxSaveFromProfile } from './profile.ts';
import { decodeProfile, encodeProfile } from './profile-json.ts';
import { decodeToxSave, encodeToxSave } from './tox-save.ts';
import { MAX_TOX_SAVE_SIZE } from './tox-save-sections.ts';

/** The file-system calls of this module. */
export interface ProfileFs {
  /** Creates `path` (which must not exist) readable by its owner only, writes `data`, flushes it to disk, closes it. */
  writeNew(path: string, data: Uint8Array): Promise<void>;
  /** Renames `from` over `to`, replacing it. */
  rename(from: string, to: string): Promise<void>;
  /** Flushes a directory's entries to disk (so a rename in it is durable). */
  syncDirectory(dir: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** The whole file; throws `RangeError` if it is larger than `maxBytes`. */
  readFile(path: string, maxBytes: number): Promise<Uint8Array>;
}

/** Errors of `fsync` on a directory that mean "this platform cannot", not "it failed". */
const NO_DIRECTORY_SYNC = new Set(['EISDIR', 'EINVAL', 'EPERM', 'EBADF', 'ENOTSUP', 'EACCES']);

/** {@link ProfileFs} on `node:fs/promises`. */
export const nodeProfileFs: ProfileFs = {
  async writeNew(path, data) {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => rename(from, to),
  async syncDirectory(dir) {
    let handle;
    try {
      handle = await open(dir, 'r');
      await handle.sync();
    } catch (error) {
      if (!NO_DIRECTORY_SYNC.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    } finally {
      await handle?.close();
    }
  },
  unlink: (path) => unlink(path),
  async readFile(path, maxBytes) {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) throw new RangeError(`${size} bytes`);
      const data = await handle.readFile();
      if (data.length > maxBytes) throw new RangeError(`${data.length} bytes`);
      return new Uint8Array(data.buffer, data.byteOffset, data.length);
    } finally {
      await handle.close();
    }
  },
};

/** Options of the functions below. */
export interface ProfileFileOptions {
  /** Default {@link nodeProfileFs}. */
  readonly fs?: ProfileFs;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The temporary file a write of `path` goes through: same directory, a name no other writer uses. */
function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${toHex(randomBytes(6))}.tmp`);
}

/**
 * Replaces the file at `path` with `data` atomically: temp file in the same directory,
 * fsync, rename, fsync of the directory. On failure before the rename the temp file is
 * removed and the old file is untouched; {@link ProfileError} `write-failed` either way.
 */
export async function writeFileAtomically(path: string, data: Uint8Array, options: ProfileFileOptions = {}): Promise<void> {
  const fs = options.fs ?? nodeProfileFs;
  const temporary = temporaryPathFor(path);
  try {
    await fs.writeNew(temporary, data);
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.unlink(temporary).catch(() => {});
    throw new ProfileError('write-failed', `could not write ${path} (${describe(error)}); the previous file, if any, is unchanged`, { cause: error });
  }
  try {
    await fs.syncDirectory(dirname(path));
  } catch (error) {
    throw new ProfileError('write-failed', `${path} is written but its directory could not be flushed (${describe(error)}); a power cut now could bring back the previous file`, { cause: error });
  }
}

/** Reads a whole file for this module: {@link ProfileError} `not-found`, `too-large` or `read-failed`. */
export async function readWholeFile(path: string, maxBytes: number, options: ProfileFileOptions = {}): Promise<Uint8Array> {
  const fs = options.fs ?? nodeProfileFs;
  try {
    return await fs.readFile(path, maxBytes);
  } catch (error) {
    if (error instanceof RangeError) throw new ProfileError('too-large', `${path} is larger than ${maxBytes} bytes (${error.message})`);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ProfileError('not-found', `no profile at ${path}`, { cause: error });
    throw new ProfileError('read-failed', `could not read ${path} (${describe(error)})`, { cause: error });
  }
}

/** Reads toxlink's profile file. Throws {@link ProfileError} (see {@link decodeProfile} and {@link readWholeFile}). */
export async function readProfileFile(path: string, options: ProfileFileOptions = {}): Promise<Profile> {
  return decodeProfile(await readWholeFile(path, MAX_PROFILE_BYTES, options));
}

/** Writes toxlink's profile file atomically ({@link writeFileAtomically}). */
export async function writeProfileFile(path: string, profile: Profile, options: ProfileFileOptions = {}): Promise<void> {
  await writeFileAtomically(path, encodeProfile(profile), options);
}

/**
 * Reads a c-toxcore save file (unencrypted `tox_get_savedata` output, as qTox or toxic
 * keep it) as a profile. Throws {@link ProfileError} for the file, {@link ToxSaveError} for
 * its content (`encrypted` for a password-protected one).
 */
export async function importToxSaveFile(path: string, options: ProfileFileOptions = {}): Promise<Profile> {
  return profileFromToxSave(decodeToxSave(await readWholeFile(path, MAX_TOX_SAVE_SIZE, options)));
}

/** Writes a profile as a c-toxcore save file (unencrypted) that `tox_new` loads, atomically. */
export async function exportToxSaveFile(path: string, profile: Profile, options: ProfileFileOptions = {}): Promise<void> {
  await writeFileAtomically(path, encodeToxSave(toxSaveFromProfile(profile)), options);
}
