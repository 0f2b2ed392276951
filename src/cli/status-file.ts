/**
 * The status snapshot: what a running `toxlink node` or `toxlink chat` writes next to its
 * profile every few seconds (`profile.status.json`), and what `toxlink status` reads. A file
 * rather than a control socket: nothing listens, nothing to secure, and the last snapshot
 * still says what the node saw when it stopped. The snapshot holds no secret.
 *
 * @see spec/cli.md#toxlink-status
 * @module
 */
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from '../crypto/index.ts';
import { toHex } from '../wire/index.ts';
import { CliError } from './errors.ts';

/** `format` of a snapshot file. */
export const STATUS_FORMAT = 'toxlink-status';
/** `version` of the snapshot written here. */
export const STATUS_VERSION = 1;
/** Longest snapshot file read. */
const MAX_STATUS_BYTES = 16 * 1024 * 1024;

/** A friend as the snapshot shows it. */
export interface StatusFriend {
  readonly friend: number;
  readonly publicKey: string;
  readonly name: string;
  /** `added`, `requested`, `confirmed` (offline) or `online`. */
  readonly status: string;
  /** `none`, `udp` or `tcp`. */
  readonly path: string;
  /** When last online, ISO 8601; null if never. */
  readonly lastSeen: string | null;
}

/** A TCP relay we are a client of. */
export interface StatusRelay {
  readonly host: string;
  readonly port: number;
  readonly publicKey: string;
  /** `connecting`, `connected`, `sleeping` or `waiting`. */
  readonly state: string;
}

/** The whole snapshot. */
export interface StatusSnapshot {
  readonly format: typeof STATUS_FORMAT;
  readonly version: number;
  readonly pid: number;
  /** `node` or `chat`. */
  readonly command: string;
  /** False in the last snapshot, written as the process stops. */
  readonly running: boolean;
  readonly startedAt: string;
  readonly writtenAt: string;
  /** How often a running process writes a snapshot, ms. */
  readonly intervalMs: number;
  readonly toxId: string;
  readonly dhtKey: string;
  readonly udpPort: number | null;
  /** Our TCP relay server's port, null without one. */
  readonly tcpPort: number | null;
  readonly dht: { readonly connected: boolean; readonly nodes: number };
  readonly onion: { readonly connected: boolean };
  readonly relays: readonly StatusRelay[];
  /** Clients connected to our TCP relay server, null without one. */
  readonly relayClients: number | null;
  readonly friends: readonly StatusFriend[];
  readonly pendingRequests: number;
}

/**
 * Writes a snapshot: to a temporary file in the same directory, then renamed over the old
 * one, so that a reader never sees half a file. No fsync: a snapshot lost in a power cut
 * costs nothing.
 */
export async function writeStatusFile(path: string, snapshot: StatusSnapshot): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${toHex(randomBytes(4))}.tmp`);
  try {
    await writeFile(temporary, `${JSON.stringify(snapshot, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Reads a snapshot; a {@link CliError} when there is none or it is not one. */
export async function readStatusFile(path: string, profilePath: string): Promise<StatusSnapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CliError(`no toxlink has run with the profile ${profilePath} (no ${path}): start one with \`toxlink node\``);
    }
    throw new CliError(`cannot read ${path} (${(error as Error).message})`, { cause: error });
  }
  if (text.length > MAX_STATUS_BYTES) throw new CliError(`${path} is too large to be a status snapshot`);
  let json: Partial<StatusSnapshot>;
  try {
    json = JSON.parse(text) as Partial<StatusSnapshot>;
  } catch {
    throw new CliError(`${path} is not a status snapshot (not JSON); it is rewritten when a node runs`);
  }
  if (json.format !== STATUS_FORMAT || typeof json.version !== 'number') {
    throw new CliError(`${path} is not a toxlink status snapshot`);
  }
  if (json.version > STATUS_VERSION) throw new CliError(`${path} was written by a newer toxlink: upgrade toxlink to read it`);
  return json as StatusSnapshot;
}
