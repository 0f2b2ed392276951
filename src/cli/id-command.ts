/**
 * `toxlink id`: opens the profile (made on first use, or imported from a c-toxcore save
 * with `--import-tox`) and prints the Tox ID, as a QR code too with `--qr`, or one JSON
 * line with `--json`. It starts no node and takes no lock: it only reads, or makes a new
 * profile.
 *
 * @see spec/cli.md#toxlink-id
 * @module
 */
import type { Command } from 'commander';
import { toHex } from '../wire/index.ts';
import { profileKeyPair } from '../messenger/index.ts';
import { type CommonFlags, profileFlags, resolveProfilePath } from './common-flags.ts';
import { openProfile } from './profile-path.ts';
import { toxIdOf } from './node-runtime.ts';
import { renderQr, toxUri } from './qr.ts';

interface IdFlags extends CommonFlags {
  qr?: boolean;
  json?: boolean;
}

/** Runs `toxlink id`; `print` takes each stdout line, `log` each stderr line. */
export async function runId(flags: IdFlags, print: (line: string) => void, log: (line: string) => void): Promise<void> {
  const path = resolveProfilePath(flags);
  const opened = await openProfile(path, { importTox: flags.importTox });
  const toxId = toxIdOf(opened.profile);
  if (opened.origin !== 'loaded') log(`toxlink: ${opened.origin === 'created' ? 'made a new profile' : 'imported the c-toxcore save into'} ${path}`);
  if (flags.json === true) {
    print(JSON.stringify({ toxId, publicKey: toHex(profileKeyPair(opened.profile).publicKey).toUpperCase(), nospam: opened.profile.nospam, profile: path, origin: opened.origin }));
    return;
  }
  if (flags.qr === true) for (const line of renderQr(toxUri(toxId))) print(line);
  print(toxId);
}

/** Adds `id` to the program. */
export function registerIdCommand(cmd: Command): void {
  profileFlags(cmd.command('id'))
    .description('print your Tox ID (the profile is made on first use)')
    .option('--qr', 'also show it as a QR code in the terminal')
    .option('--json', 'print one JSON line: toxId, publicKey, nospam, profile, origin')
    .action(async (flags: IdFlags) => {
      await runId(flags, (line) => console.log(line), (line) => console.error(line));
    });
}
