/**
 * `toxlink relay`: runs a Tox TCP relay ({@link TcpRelayServer}) on one or more TCP ports,
 * with its first onion hop on a UDP port, as `tox-bootstrapd` runs one. The key pair comes
 * from a keys file (made if missing, in tox-bootstrapd's format: the 32-byte public key then
 * the 32-byte secret key) or is fresh for the run. It prints its public key and ports (one
 * JSON line with `--json`), serves until SIGINT or SIGTERM, then closes every connection and
 * exits 0.
 *
 * @see spec/relay.md#the-toxlink-relay-command
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type KeyPair, PUBLIC_KEY_SIZE, SECRET_KEY_SIZE, constantTimeEqual, generateKeyPair, keyPairFromSecretKey } from '../crypto/index.ts';
import { type DatagramTransport, NodeNetwork, SystemClock } from '../io/index.ts';
import { type RelayServerConfig, TcpRelayServer } from '../relay/index.ts';
import { toHex } from '../wire/index.ts';

/** What `toxlink relay` was asked for. */
export interface RelayCommandOptions {
  /** The address to listen on (all IPv4 interfaces by default). */
  readonly host: string;
  /** TCP ports; 0 picks a free one. */
  readonly ports: readonly number[];
  /** The onion hop's UDP port (0 picks a free one), or `false` for no onion hop. */
  readonly udpPort: number | false;
  /** A keys file to load, or to make if it does not exist; fresh keys for this run without it. */
  readonly keysFile: string | undefined;
  readonly config?: Partial<RelayServerConfig>;
}

/** A running relay. */
export interface RunningRelay {
  readonly server: TcpRelayServer;
  readonly publicKey: Uint8Array;
  readonly host: string;
  /** The TCP ports listened on, as bound. */
  readonly tcpPorts: number[];
  /** The onion hop's UDP port, as bound, or `undefined` without one. */
  readonly udpPort: number | undefined;
  /** Whether the keys were read from the file, written to it, or made for this run only. */
  readonly keys: 'loaded' | 'created' | 'ephemeral';
  /** Closes every connection, the listeners and the UDP socket. Idempotent. */
  stop(): Promise<void>;
}

/** An unusable keys file or port: one clear message for the command line. */
export class RelayCommandError extends Error {
  override readonly name = 'RelayCommandError';
}

/**
 * Reads a keys file: 64 bytes (public key then secret key, tox-bootstrapd's `keys` file) or
 * 32 (the secret key alone). The public key must be the secret key's.
 */
export function readKeysFile(path: string): KeyPair {
  const bytes = new Uint8Array(readFileSync(path));
  if (bytes.length === SECRET_KEY_SIZE) return keyPairFromSecretKey(bytes);
  if (bytes.length !== PUBLIC_KEY_SIZE + SECRET_KEY_SIZE) {
    throw new RelayCommandError(`${path}: a keys file is 64 bytes (public key, secret key) or 32 (secret key), not ${bytes.length}`);
  }
  const pair = keyPairFromSecretKey(bytes.subarray(PUBLIC_KEY_SIZE));
  if (!constantTimeEqual(pair.publicKey, bytes.subarray(0, PUBLIC_KEY_SIZE))) {
    throw new RelayCommandError(`${path}: the public key is not the secret key's`);
  }
  return pair;
}

/** Writes a keys file as tox-bootstrapd does: public key then secret key, readable by the owner only. */
export function writeKeysFile(path: string, keyPair: KeyPair): void {
  const bytes = new Uint8Array(PUBLIC_KEY_SIZE + SECRET_KEY_SIZE);
  bytes.set(keyPair.publicKey, 0);
  bytes.set(keyPair.secretKey, PUBLIC_KEY_SIZE);
  writeFileSync(path, bytes, { mode: 0o600, flag: 'wx' });
}

/** Starts the relay; rejects with a `RelayCommandError` for a keys file or port it cannot use. */
export async function startRelay(options: RelayCommandOptions): Promise<RunningRelay> {
  let keyPair: KeyPair;
  let keys: RunningRelay['keys'];
  if (options.keysFile === undefined) {
    keyPair = generateKeyPair();
    keys = 'ephemeral';
  } else if (existsSync(options.keysFile)) {
    keyPair = readKeysFile(options.keysFile);
    keys = 'loaded';
  } else {
    keyPair = generateKeyPair();
    writeKeysFile(options.keysFile, keyPair);
    keys = 'created';
  }
  const network = new NodeNetwork();
  const clock = new SystemClock();
  let socket: DatagramTransport | undefined;
  if (options.udpPort !== false) {
    socket = await network.bindUdp({ host: options.host, port: options.udpPort }).catch((error: unknown) => {
      throw new RelayCommandError(`cannot bind UDP ${options.host}:${String(options.udpPort)}: ${(error as Error).message}`);
    });
  }
  const server = new TcpRelayServer({ network, clock, keyPair, config: options.config, onionSocket: socket });
  const stop = async (): Promise<void> => {
    await server.close();
    await socket?.close();
  };
  const tcpPorts: number[] = [];
  try {
    for (const port of options.ports) {
      const listener = await server.listen({ host: options.host, port }).catch((error: unknown) => {
        throw new RelayCommandError(`cannot listen on TCP ${options.host}:${port}: ${(error as Error).message}`);
      });
      tcpPorts.push(listener.local.port);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    server, publicKey: keyPair.publicKey, host: options.host, tcpPorts, udpPort: socket?.local.port, keys,
    stop: () => (stopping ??= stop()),
  };
}

/** The banner: key and ports, as text lines or one JSON line. */
export function describeRelay(relay: RunningRelay, json: boolean): string {
  const publicKey = toHex(relay.publicKey).toUpperCase();
  if (json) {
    return JSON.stringify({ event: 'listening', publicKey, host: relay.host, tcpPorts: relay.tcpPorts, udpPort: relay.udpPort ?? null, keys: relay.keys });
  }
  return [
    `toxlink relay: public key ${publicKey}`,
    `tcp ${relay.tcpPorts.map((p) => `${relay.host}:${p}`).join(' ')}`,
    `udp ${relay.udpPort === undefined ? 'off (no onion hop)' : `${relay.host}:${relay.udpPort} (onion hop)`}`,
    `keys ${relay.keys}`,
  ].join('\n');
}

/**
 * Runs the command: starts the relay, prints the banner, and on SIGINT or SIGTERM stops it,
 * prints what it did and resolves. `print` takes each line.
 */
export async function runRelayCommand(options: RelayCommandOptions & { json: boolean; print: (line: string) => void }): Promise<void> {
  const relay = await startRelay(options);
  // Listen for the signals before the banner goes out: whoever reads it may signal at once.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    const on = (sig: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  options.print(describeRelay(relay, options.json));
  const signal = await signalled;
  const clients = relay.server.clientCount;
  await relay.stop();
  const s = relay.server.stats;
  const summary = { event: 'stopped', signal, clients, accepted: s.accepted, confirmed: s.confirmed, dataRelayed: s.dataRelayed, oobRelayed: s.oobRelayed, onionRequests: s.onionRequests };
  options.print(options.json ? JSON.stringify(summary) : `toxlink relay: stopped on ${signal}; ${clients} clients were connected, ${s.confirmed} in all, ${s.dataRelayed} data frames relayed`);
}
