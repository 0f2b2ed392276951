/**
 * Runs c-toxcore's `tox-bootstrapd` on loopback for a test: a DHT bootstrap node, onion
 * node and TCP relay with a key pair we choose.
 *
 * What 0.2.18's daemon does (read in c-toxcore `other/bootstrap_daemon/src/` and
 * `other/bootstrap_node_packets.c`, then checked by running it):
 * - `--foreground` keeps it from forking; it then never writes the PID file, but the
 *   config must still be valid. `--log-backend=stdout` sends INFO to stdout and warnings
 *   and errors to stderr (without it, and with no tty, even `--help` goes to syslog).
 * - The keys file is exactly 64 bytes: the DHT public key, then the secret key. The
 *   daemon loads the two halves separately and never checks that they match, so we
 *   derive the public key ourselves (X25519). It logs `Public Key: <64 upper hex>`.
 * - UDP binds the first free port of [port, port + 100] on all interfaces (IPv4 only
 *   with `enable_ipv6 = false`); TCP relay ports are bound exactly or the daemon exits.
 * - Bootstrap info: a UDP request of exactly 78 bytes whose first byte is 0xF0 (the rest
 *   is ignored) gets `[0xF0][version u32 BE][motd]`. The motd is sent with its
 *   terminating NUL byte. The version is `1000000000 + major * 1000000 + minor * 1000 +
 *   patch`: 1000002018 for 0.2.18 (not 2018).
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { cToxcoreAvailable } from './build.ts';

/** First byte of the bootstrap-info request and reply (`BOOTSTRAP_INFO_PACKET_ID`). */
export const BOOTSTRAP_INFO_PACKET_ID = 0xf0;
/** The exact size of a bootstrap-info request (`INFO_REQUEST_PACKET_LENGTH`). */
export const BOOTSTRAP_INFO_REQUEST_SIZE = 78;
/** Longest motd the daemon sends (`MAX_MOTD_LENGTH`), NUL included. */
export const MAX_MOTD_LENGTH = 256;
/** The version number tox-bootstrapd 0.2.18 reports. */
export const BOOTSTRAPD_0_2_18_VERSION = 1_000_002_018;

const LOOPBACK = '127.0.0.1';
/** How long the daemon may take to come up and answer. */
const START_TIMEOUT_MS = 10_000;
/** How many times to retry with fresh ports if the daemon loses a port race. */
const START_ATTEMPTS = 3;
/** How long to wait for a single bootstrap-info reply. */
const INFO_TIMEOUT_MS = 500;
const TERM_GRACE_MS = 3_000;
const KILL_GRACE_MS = 2_000;
const MAX_LOG_CHARS = 64 * 1024;

/** A running tox-bootstrapd. Keys are upper-case hex. */
export interface Bootstrapd {
  readonly pid: number;
  readonly host: string;
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly publicKey: string;
  readonly motd: string;
  /** The temporary directory holding config and keys; removed by stop(). */
  readonly dir: string;
  /** What the daemon has written to stdout and stderr (the tail). */
  logs(): string;
  /** Kills the daemon by pid (SIGTERM, then SIGKILL) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/** Options for {@link startBootstrapd}. */
export interface BootstrapdOptions {
  /** Printable ASCII without quotes or backslashes; default `toxlink-interop-<random>`. */
  readonly motd?: string;
  /** Secret key, 64 hex characters; default random. */
  readonly secretKey?: string;
}

/** A decoded bootstrap-info reply. */
export interface BootstrapInfo {
  readonly version: number;
  /** The motd bytes as sent (0.2.18 includes the terminating NUL). */
  readonly motdBytes: Uint8Array;
  /** The motd text, up to the first NUL. */
  readonly motd: string;
  /** The whole reply. */
  readonly raw: Uint8Array;
}

/** An X25519 key pair as raw bytes: random, or the given secret key and its public key. */
export function x25519KeyPair(secretKeyHex?: string): { publicKey: Uint8Array; secretKey: Uint8Array } {
  if (secretKeyHex !== undefined) {
    const secretKey = hexBytes(secretKeyHex, 32);
    return { publicKey: x25519PublicKey(secretKey), secretKey };
  }
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { publicKey: jwkBytes(publicKey.export({ format: 'jwk' }).x), secretKey: jwkBytes(privateKey.export({ format: 'jwk' }).d) };
}

/** The X25519 public key of a 32-byte secret key (libsodium's crypto_scalarmult_base). */
export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  // PKCS#8 wrapping of a raw X25519 private key: the fixed 16-byte prefix, then the key.
  const prefix = Buffer.from('302e020100300506032b656e04220420', 'hex');
  const der = Buffer.concat([prefix, Buffer.from(secretKey)]);
  const pub = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  return jwkBytes(pub.export({ format: 'jwk' }).x);
}

function jwkBytes(value: string | undefined): Uint8Array {
  if (value === undefined) throw new Error('JWK export without key material');
  return new Uint8Array(Buffer.from(value, 'base64url'));
}

function hexBytes(hex: string, size: number): Uint8Array {
  if (hex.length !== size * 2 || !/^[0-9a-fA-F]*$/.test(hex)) throw new RangeError(`expected ${size * 2} hex characters`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

/** A port that was free on all IPv4 interfaces a moment ago (UDP or TCP). */
export async function freePort(kind: 'udp' | 'tcp'): Promise<number> {
  if (kind === 'udp') {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '0.0.0.0', () => resolve());
    });
    const { port } = socket.address();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    return port;
  }
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '0.0.0.0', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

/**
 * Sends one bootstrap-info request (78 bytes, first byte 0xF0) to host:port over UDP and
 * resolves with the decoded reply, or rejects after `timeoutMs`. `requestSize` lets a test
 * check that other sizes go unanswered.
 */
export async function queryBootstrapInfo(
  host: string,
  port: number,
  timeoutMs = INFO_TIMEOUT_MS,
  requestSize = BOOTSTRAP_INFO_REQUEST_SIZE,
): Promise<BootstrapInfo> {
  const socket = createSocket('udp4');
  try {
    return await new Promise<BootstrapInfo>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no bootstrap-info reply from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.on('message', (msg, from) => {
        if (from.port !== port || msg.length < 5 || msg[0] !== BOOTSTRAP_INFO_PACKET_ID) return;
        clearTimeout(timer);
        resolve(parseBootstrapInfo(new Uint8Array(msg)));
      });
      socket.bind(0, LOOPBACK, () => {
        const request = new Uint8Array(requestSize);
        request[0] = BOOTSTRAP_INFO_PACKET_ID;
        socket.send(request, port, host);
      });
    });
  } finally {
    socket.close();
  }
}

/** Decodes `[0xF0][version u32 BE][motd]`. */
export function parseBootstrapInfo(raw: Uint8Array): BootstrapInfo {
  if (raw.length < 5 || raw[0] !== BOOTSTRAP_INFO_PACKET_ID) throw new Error('not a bootstrap-info reply');
  if (raw.length > 5 + MAX_MOTD_LENGTH) throw new Error(`bootstrap-info reply too long: ${raw.length} bytes`);
  const version = new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getUint32(1);
  const motdBytes = raw.slice(5);
  const nul = motdBytes.indexOf(0);
  const motd = Buffer.from(nul >= 0 ? motdBytes.subarray(0, nul) : motdBytes).toString('utf8');
  return { version, motdBytes, motd, raw };
}

/** Splits tox-bootstrapd's `1AAABBBCCC` version number into major, minor, patch. */
export function decodeBootstrapdVersion(version: number): { major: number; minor: number; patch: number } {
  const v = version - 1_000_000_000;
  return { major: Math.floor(v / 1_000_000), minor: Math.floor(v / 1000) % 1000, patch: v % 1000 };
}

/**
 * Starts tox-bootstrapd in a fresh temporary directory with a config and keys file we write:
 * UDP and TCP relay on free ports, IPv4 only, LAN discovery off, no bootstrap nodes.
 * Resolves once the log shows our public key and the daemon answers a bootstrap-info
 * request with our motd. Retries with fresh ports if it lost a port to someone else.
 */
export async function startBootstrapd(options: BootstrapdOptions = {}): Promise<Bootstrapd> {
  const available = cToxcoreAvailable();
  if (!available.ok) throw new Error(`cannot start tox-bootstrapd: ${available.why}`);
  const motd = options.motd ?? `toxlink-interop-${randomBytes(6).toString('hex')}`;
  if (!/^[\x20-\x7e]*$/.test(motd) || /["\\]/.test(motd) || motd.length >= MAX_MOTD_LENGTH) {
    throw new RangeError('motd must be printable ASCII, without quotes or backslashes, under 256 characters');
  }
  const errors: string[] = [];
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(available.bootstrapd, motd, options.secretKey);
    } catch (err) {
      errors.push(`attempt ${attempt}: ${(err as Error).message}`);
    }
  }
  throw new Error(`tox-bootstrapd did not start:\n${errors.join('\n')}`);
}

/** {@link startBootstrapd}, with stop() registered as the test's teardown. */
export async function startBootstrapdFor(t: ExecutionContext, options: BootstrapdOptions = {}): Promise<Bootstrapd> {
  const node = await startBootstrapd(options);
  t.teardown(() => node.stop());
  return node;
}

async function startOnce(binary: string, motd: string, secretKeyHex: string | undefined): Promise<Bootstrapd> {
  const dir = await mkdtemp(path.join(tmpdir(), 'toxlink-bootstrapd-'));
  const keys = x25519KeyPair(secretKeyHex);
  const publicKey = hex(keys.publicKey);
  const udpPort = await freePort('udp');
  const tcpPort = await freePort('tcp');
  const keysFile = path.join(dir, 'keys');
  const configFile = path.join(dir, 'tox-bootstrapd.conf');
  await writeFile(keysFile, Buffer.concat([keys.publicKey, keys.secretKey]), { mode: 0o600 });
  await writeFile(configFile, [
    '// Written by toxlink test/interop/bootstrapd.ts',
    `port = ${udpPort}`,
    `keys_file_path = "${keysFile}"`,
    `pid_file_path = "${path.join(dir, 'tox-bootstrapd.pid')}"`,
    'enable_ipv6 = false',
    'enable_ipv4_fallback = true',
    'enable_lan_discovery = false',
    'enable_tcp_relay = true',
    `tcp_relay_ports = [${tcpPort}]`,
    'enable_motd = true',
    `motd = "${motd}"`,
    '',
  ].join('\n'));

  const [command, ...args] = [...parentDeathGuard(), binary, '--foreground', `--config=${configFile}`, '--log-backend=stdout'];
  const child = spawn(command!, args, {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const append = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-MAX_LOG_CHARS);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  const spawned = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => (child.pid === undefined ? reject(new Error('no pid')) : resolve(child.pid)));
  }).catch(async (err: Error) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });

  let stopping: Promise<void> | undefined;
  const node: Bootstrapd = {
    pid: spawned,
    host: LOOPBACK,
    udpPort,
    tcpPort,
    publicKey,
    motd,
    dir,
    logs: () => log,
    stop: () => {
      stopping ??= stopChild(child, spawned, () => exited, exitPromise).finally(() => rm(dir, { recursive: true, force: true }));
      return stopping;
    },
  };

  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    await until(deadline, () => exited || log.includes('Public Key: '));
    if (exited) throw new Error(`tox-bootstrapd exited during start-up:\n${log}`);
    const logged = /Public Key: ([0-9A-F]{64})/.exec(log)?.[1];
    if (logged !== publicKey) throw new Error(`tox-bootstrapd logged public key ${logged ?? '(none)'}, expected ${publicKey}`);
    await answersInfo(node, deadline, () => exited);
    await acceptsTcp(tcpPort, deadline);
    return node;
  } catch (err) {
    await node.stop();
    throw new Error(`${(err as Error).message}\n--- tox-bootstrapd log ---\n${log}`);
  }
}

/** Polls `condition` every 20 ms until it holds or the deadline passes. */
async function until(deadline: number, condition: () => boolean): Promise<void> {
  while (!condition() && Date.now() < deadline) await sleep(20);
}

async function answersInfo(node: Bootstrapd, deadline: number, exited: () => boolean): Promise<void> {
  let last = '';
  while (Date.now() < deadline && !exited()) {
    try {
      const info = await queryBootstrapInfo(node.host, node.udpPort);
      if (info.motd === node.motd) return;
      last = `port ${node.udpPort} answered with motd ${JSON.stringify(info.motd)}, not ours (port taken by another node?)`;
      break;
    } catch (err) {
      last = (err as Error).message;
    }
  }
  throw new Error(`tox-bootstrapd does not answer bootstrap-info: ${last}`);
}

/** Checks that the TCP relay port accepts connections (connects and closes at once). */
async function acceptsTcp(port: number, deadline: number): Promise<void> {
  let last = '';
  while (Date.now() < deadline) {
    try {
      await new Promise<void>((resolve, reject) => {
        const socket = createConnection({ host: LOOPBACK, port, timeout: 1000 });
        socket.once('connect', () => {
          socket.destroy();
          resolve();
        });
        socket.once('timeout', () => {
          socket.destroy();
          reject(new Error('connect timeout'));
        });
        socket.once('error', reject);
      });
      return;
    } catch (err) {
      last = (err as Error).message;
      await sleep(50);
    }
  }
  throw new Error(`tox-bootstrapd TCP relay on port ${port} does not accept connections: ${last}`);
}

/**
 * The daemon also dies with the process that started it: `setpriv --pdeathsig KILL`
 * (util-linux) execs it with the parent-death signal set, so it keeps its PID, and a test
 * worker that ava ends on a timeout, without running its teardowns, takes the daemon with
 * it. Without setpriv the teardown alone stops it, as before.
 */
function parentDeathGuard(): string[] {
  return existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL', '--'] : [];
}

const SETPRIV = '/usr/bin/setpriv';

async function stopChild(child: ChildProcess, pid: number, exited: () => boolean, exitPromise: Promise<void>): Promise<void> {
  const signal = (sig: NodeJS.Signals): void => {
    if (exited()) return;
    try {
      process.kill(pid, sig);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  };
  signal('SIGTERM');
  await Promise.race([exitPromise, sleep(TERM_GRACE_MS)]);
  if (!exited()) {
    signal('SIGKILL');
    await Promise.race([exitPromise, sleep(KILL_GRACE_MS)]);
  }
  child.stdout?.destroy();
  child.stderr?.destroy();
  if (!exited()) throw new Error(`tox-bootstrapd pid ${pid} still running after SIGKILL`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
