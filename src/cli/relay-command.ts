/**
 * The options of `toxlink relay`, on the command line parser; what it runs is in
 * `relay.ts`.
 *
 * @see spec/relay.md#the-toxlink-relay-command
 * @module
 */
import type { Command } from 'commander';
import { runRelayCommand } from './relay.ts';

/** The TCP port tox-bootstrapd and c-toxcore use by default. */
const DEFAULT_PORT = 33445;

interface RelayFlags {
  host: string;
  port?: number[];
  udpPort?: number;
  onion: boolean;
  keys?: string;
  json?: boolean;
  maxClients?: number;
}

/** Adds `relay` to the program; `integer` is the program's range-checked integer parser. */
export function registerRelayCommand(cmd: Command, integer: (min: number, max: number) => (text: string) => number): void {
  const port = integer(0, 65_535);
  cmd
    .command('relay')
    .description('run a Tox TCP relay (what tox-bootstrapd runs), with its onion hop on UDP, until SIGINT or SIGTERM')
    .option('--host <ip>', 'address to listen on', '0.0.0.0')
    .option('-p, --port <port>', `TCP port, repeatable; 0 picks a free one (default ${DEFAULT_PORT})`, (v: string, prev: number[] = []) => [...prev, port(v)])
    .option('--udp-port <port>', 'UDP port of the onion hop (default: the first TCP port)', port)
    .option('--no-onion', 'no onion hop: onion requests from clients are dropped')
    .option('--keys <file>', 'keys file (64 bytes: public key, secret key, as tox-bootstrapd\'s); made if missing; fresh keys without it')
    .option('--max-clients <n>', 'clients connected at once', integer(1, 1 << 20))
    .option('--json', 'print one JSON line at start and one at stop')
    .action(async (flags: RelayFlags) => {
      const ports = flags.port ?? [DEFAULT_PORT];
      await runRelayCommand({
        host: flags.host,
        ports,
        udpPort: flags.onion ? (flags.udpPort ?? ports[0]!) : false,
        keysFile: flags.keys,
        config: flags.maxClients === undefined ? {} : { maxClients: flags.maxClients },
        json: flags.json === true,
        print: (line) => console.log(line),
      });
    });
}
