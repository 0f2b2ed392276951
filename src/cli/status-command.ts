/**
 * `toxlink status`: what the node running on a profile sees (DHT, onion, relays, each
 * friend's path and when it was last seen), read from the snapshot that node writes next to
 * the profile every few seconds. A snapshot whose process is gone, or that is older than
 * three intervals, means no node is running: the last snapshot is shown all the same, and
 * the exit code is 3 (as `systemctl status` says "inactive").
 *
 * @see spec/cli.md#toxlink-status
 * @module
 */
import type { Command } from 'commander';
import { type CommonFlags, resolveProfilePath } from './common-flags.ts';
import { defaultProfilePath, processAlive, statusPathFor } from './profile-path.ts';
import { type StatusSnapshot, readStatusFile } from './status-file.ts';

/** The exit code when no node is running on the profile. */
export const EXIT_NOT_RUNNING = 3;

interface StatusFlags extends CommonFlags {
  json?: boolean;
}

/** Whether the snapshot's process is alive and wrote it recently enough. */
export function isLive(s: StatusSnapshot, now = Date.now()): boolean {
  const age = now - Date.parse(s.writtenAt);
  const interval = Number.isFinite(s.intervalMs) && s.intervalMs > 0 ? s.intervalMs : 2_000;
  return s.running && processAlive(s.pid) && age <= Math.max(3 * interval, 10_000);
}

function ago(iso: string | null, now: number): string {
  if (iso === null) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

/** The snapshot as lines of text. */
export function describeStatus(s: StatusSnapshot, live: boolean, now = Date.now()): string[] {
  const lines = [
    live
      ? `toxlink ${s.command} running (pid ${s.pid}, started ${ago(s.startedAt, now)}); snapshot ${ago(s.writtenAt, now)}`
      : `no toxlink running on this profile; the last one (${s.command}, pid ${s.pid}) wrote this ${ago(s.writtenAt, now)}`,
    `Tox ID ${s.toxId}`,
    `dht ${s.dht.connected ? `connected, ${s.dht.nodes} nodes` : 'not connected'}; onion ${s.onion.connected ? 'connected' : 'not connected'}`,
    `udp ${s.udpPort ?? 'off'}; tcp relay server ${s.tcpPort === null ? 'off' : `${s.tcpPort} (${s.relayClients ?? 0} clients)`}`,
  ];
  const relays = s.relays.filter((r) => r.state !== 'sleeping');
  lines.push(relays.length === 0 ? 'relays: none' : `relays: ${relays.map((r) => `${r.host}:${r.port} ${r.state}`).join(', ')}`);
  if (s.friends.length === 0) lines.push('friends: none');
  else {
    lines.push('friends:');
    for (const f of s.friends) {
      const name = f.name === '' ? f.publicKey.slice(0, 16) : f.name;
      const state = f.status === 'online' ? `online (${f.path})`
        : f.status === 'confirmed' ? `offline, last seen ${ago(f.lastSeen, now)}`
        : `request ${f.status === 'added' ? 'not sent yet' : 'sent'}, not answered`;
      lines.push(`  ${f.friend}  ${name}  ${state}`);
    }
  }
  if (s.pendingRequests > 0) lines.push(`friend requests waiting: ${s.pendingRequests}`);
  return lines;
}

/** Runs `toxlink status`; resolves with the exit code. */
export async function runStatus(flags: StatusFlags, print: (line: string) => void): Promise<number> {
  const profilePath = resolveProfilePath(flags);
  const snapshot = await readStatusFile(statusPathFor(profilePath), profilePath);
  const live = isLive(snapshot);
  if (flags.json === true) print(JSON.stringify({ ...snapshot, live }));
  else for (const line of describeStatus(snapshot, live)) print(line);
  return live ? 0 : EXIT_NOT_RUNNING;
}

/** Adds `status` to the program. */
export function registerStatusCommand(cmd: Command): void {
  cmd.command('status')
    .description('show what the node running on a profile sees: DHT, onion, relays, friends (exit 3 if none is running)')
    .option('--profile <path>', `the profile file (default ${defaultProfilePath()})`)
    .option('--json', 'print the snapshot as one JSON line, with "live"')
    .action(async (flags: StatusFlags) => {
      process.exitCode = await runStatus(flags, (line) => console.log(line));
    });
}
