/**
 * `toxlink demo`: the seed scenario on a local network, every layer real. A bootstrap node
 * with a TCP relay and two peers, Alice and Bob, start on 127.0.0.1 (or on the simulator
 * with `--sim`). Alice sends Bob a friend request by his Tox ID; it reaches him through the
 * onion, he accepts, and the two find each other and come online. Alice then opens two
 * channels to Bob, `file://a` and `file://b`, and sends a generated file on each at once.
 * Bob hashes what arrives and answers each channel with its SHA-256; Alice compares it
 * with her own. A bar per file shows what Bob has received; the end shows each file's
 * time and throughput, and whether the hashes match.
 *
 * @see spec/cli.md#toxlink-demo
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { toHex } from '../wire/index.ts';
import type { ChannelSocket } from '../mux/index.ts';
import { type DemoNetwork, type DemoNetworkKind, startDemoNetwork } from './demo-network.ts';
import { ProgressBars, type ProgressOutput, formatBytes, formatRate } from './progress.ts';

/** Settings of one demo run. */
export interface DemoOptions {
  /** Real sockets on 127.0.0.1 (`udp`), or the simulator (`sim`). */
  readonly network: DemoNetworkKind;
  /** Seeds the simulator (`sim` only). */
  readonly seed: number;
  /** Bytes in each file. */
  readonly fileBytes: number;
  /** Files, one channel each (`file://a`, `file://b`, …). */
  readonly files: number;
  /** The whole run's limit on the network's clock, ms. */
  readonly timeoutMs: number;
  /** Where lines go. */
  readonly print: (line: string) => void;
  /** Where the progress bars go (none without it). */
  readonly progress?: ProgressOutput;
}

/** One file's fate. */
export interface DemoFileResult {
  readonly uri: string;
  readonly bytes: number;
  /** Bytes Bob received. */
  readonly received: number;
  /** SHA-256 of what Alice sent, hex. */
  readonly sentSha256: string;
  /** SHA-256 of what Bob received, as he answered it, hex ('' if no answer came). */
  readonly receivedSha256: string;
  readonly match: boolean;
  /** From the start of the transfer to Bob's answer, ms on the network's clock. */
  readonly ms: number;
}

/** What one demo run measured; times are on the network's clock (simulated with `sim`). */
export interface DemoResult {
  readonly ok: boolean;
  /** What went wrong, when not ok. */
  readonly error?: string;
  readonly network: DemoNetworkKind;
  /** From the start to Bob hearing Alice's friend request. */
  readonly requestMs: number;
  /** From the start to both being online to each other. */
  readonly onlineMs: number;
  /** The path between them: `udp` or `tcp` (through the relay). */
  readonly path: string;
  readonly files: readonly DemoFileResult[];
  /** From the start of the transfer to the last answer. */
  readonly transferMs: number;
  /** Every file's bytes over `transferMs`. */
  readonly bytesPerSecond: number;
  /** Real time the whole run took, ms. */
  readonly wallMs: number;
}

const CHUNK = 64 * 1024;
const REPLY_BYTES = 64;

/** The name of file `i`: `file://a`, `file://b`, … */
export function fileUri(i: number): string {
  return `file://${String.fromCharCode(97 + (i % 26))}${i >= 26 ? Math.floor(i / 26) : ''}`;
}

/** Runs the demo; never throws for a failed run (see `ok` and `error`). */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const wallStart = performance.now();
  const figures = { requestMs: -1, onlineMs: -1, path: 'none', transferMs: 0 };
  const files: DemoFileResult[] = [];
  let net: DemoNetwork | undefined;
  let error: string | undefined;
  try {
    net = await startDemoNetwork({ kind: options.network, seed: options.seed });
    await scenario(net, options, figures, files);
  } catch (e) {
    error = (e as Error).message;
  } finally {
    await net?.close();
  }
  const total = files.reduce((n, f) => n + f.bytes, 0);
  const ok = error === undefined && files.length === options.files && files.every((f) => f.match);
  if (error === undefined && !ok) error = 'a file arrived different from what was sent';
  return {
    ok, ...(error === undefined ? {} : { error }), network: options.network, ...figures, files,
    bytesPerSecond: figures.transferMs > 0 ? (total * 1000) / figures.transferMs : 0, wallMs: performance.now() - wallStart,
  };
}

async function scenario(
  net: DemoNetwork, options: DemoOptions, figures: { requestMs: number; onlineMs: number; path: string; transferMs: number }, files: DemoFileResult[],
): Promise<void> {
  const { print } = options;
  const clock = net.clock;
  const start = clock.now();
  const left = (): number => Math.max(1, options.timeoutMs - (clock.now() - start));
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const where = net.kind === 'sim' ? 'on the simulated network (simulated time)' : 'on 127.0.0.1, real UDP and TCP sockets';
  print(`a local Tox network ${where}, no internet`);
  print(`bootstrap node  DHT ${net.bootstrap.udp.host}:${net.bootstrap.udp.port}  TCP relay ${net.bootstrap.tcp.host}:${net.bootstrap.tcp.port}  key ${toHex(net.bootstrap.publicKey).toUpperCase().slice(0, 16)}…`);
  const alice = await net.peer('Alice');
  const bob = await net.peer('Bob');
  print(`alice  ${alice.messenger.toxId()}`);
  print(`bob    ${bob.messenger.toxId()}`);

  // Befriend: a request through the onion, accepted when it arrives.
  const aliceKey = alice.node.realKeyPair.publicKey;
  const requested = new Promise<void>((resolve) => {
    bob.messenger.on('friend-request', (r) => {
      if (toHex(r.publicKey) !== toHex(aliceKey)) return;
      figures.requestMs = clock.now() - start;
      print(`bob got alice's friend request through the onion after ${seconds(figures.requestMs)} ("${r.text}"): accepted`);
      bob.messenger.acceptRequest(r.publicKey);
      resolve();
    });
  });
  const bobNumber = alice.messenger.addFriend(bob.messenger.toxId(), 'Hi Bob, it is Alice. May I send you two files?');
  print('alice sent bob a friend request; looking for each other through the DHT and the onion…');
  await net.wait(requested, left(), 'the friend request');
  const bobSeesAlice = (): Promise<unknown> => bob.messenger.waitOnline(aliceKey, { timeoutMs: left() });
  const [path] = await net.wait(Promise.all([alice.messenger.waitOnline(bobNumber, { timeoutMs: left() }), bobSeesAlice()]), left(), 'coming online');
  figures.onlineMs = clock.now() - start;
  figures.path = path;
  print(`alice and bob are online to each other over ${path === 'udp' ? 'UDP' : 'the TCP relay'} after ${seconds(figures.onlineMs)}`);

  // Bob takes file:// channels from Alice: hashes what arrives, answers with the hash.
  const uris = Array.from({ length: options.files }, (_, i) => fileUri(i));
  const bars = options.progress === undefined ? undefined : new ProgressBars(options.progress, uris.map((label) => ({ label, total: options.fileBytes })), () => clock.now());
  const received = new Map<string, number>();
  bob.manager.onChannelRequest((r) => toHex(r.friendKey) === toHex(aliceKey) && uris.includes(r.uri));
  bob.manager.on('channel', (socket) => receive(socket, (n) => {
    received.set(socket.uri, n);
    bars?.set(uris.indexOf(socket.uri), n);
  }));

  const opened = clock.now();
  const sockets = await net.wait(Promise.all(uris.map((uri) => alice.manager.connectDevice(bob.node.realKeyPair.publicKey, uri, { timeoutMs: left() }))),
    left(), 'opening the channels');
  print(`alice opened ${uris.join(' and ')} to bob in ${seconds(clock.now() - opened)}; sending ${uris.length} × ${formatBytes(options.fileBytes)}`);
  const transferStart = clock.now();
  bars?.render();
  const results = await net.wait(Promise.all(sockets.map((socket) => send(socket, options.fileBytes, clock.now.bind(clock)))), left(), 'the transfer');
  bars?.render();
  figures.transferMs = Math.max(...results.map((r) => r.doneAt)) - transferStart;
  for (const r of results) {
    const result: DemoFileResult = {
      uri: r.uri, bytes: options.fileBytes, received: received.get(r.uri) ?? 0, sentSha256: r.sentSha256, receivedSha256: r.reply,
      match: r.reply === r.sentSha256, ms: r.doneAt - transferStart,
    };
    files.push(result);
    const rate = formatRate((result.bytes * 1000) / Math.max(1, result.ms));
    print(`${r.uri}  ${formatBytes(result.bytes)} in ${seconds(result.ms)}  ${rate}  sha256 ${r.sentSha256.slice(0, 16)}…  ${result.match ? 'matches what bob received' : `DIFFERS: bob received ${result.receivedSha256.slice(0, 16) || 'nothing'}…`}`);
  }
  const total = options.fileBytes * uris.length;
  print(`all ${uris.length} files: ${formatBytes(total)} in ${seconds(figures.transferMs)}, ${formatRate((total * 1000) / Math.max(1, figures.transferMs))}${net.kind === 'sim' ? ' (simulated time)' : ''}`);
  await Promise.all([alice, bob].map((p) => p.close()));
}

/** Bob's side of a channel: hash and count what arrives; at EOF answer with the hash and end. */
function receive(socket: ChannelSocket, progress: (bytes: number) => void): void {
  const hash = createHash('sha256');
  let bytes = 0;
  socket.on('error', () => {}); // Alice's side reports the failure.
  socket.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
    progress(bytes);
  });
  socket.on('end', () => socket.end(hash.digest('hex')));
}

/** Alice's side: sends `bytes` generated bytes with backpressure, ends, and reads Bob's answer. */
async function send(socket: ChannelSocket, bytes: number, now: () => number): Promise<{ uri: string; sentSha256: string; reply: string; doneAt: number }> {
  const hash = createHash('sha256');
  const replyChunks: Buffer[] = [];
  let replyBytes = 0;
  const answered = new Promise<string>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      replyBytes += chunk.length;
      if (replyBytes <= REPLY_BYTES) replyChunks.push(chunk);
    });
    socket.on('end', () => resolve(Buffer.concat(replyChunks).toString('utf8')));
    socket.on('error', (e: Error) => reject(new Error(`${socket.uri}: ${e.message}`)));
    socket.on('close', () => reject(new Error(`${socket.uri}: the channel closed before bob answered (${socket.closeReason?.message ?? 'no reason'})`)));
  });
  answered.catch(() => {}); // awaited below; a failure while sending is reported from there
  for (let sent = 0; sent < bytes;) {
    const chunk = randomBytes(Math.min(CHUNK, bytes - sent));
    hash.update(chunk);
    sent += chunk.length;
    if (!socket.write(chunk)) {
      await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), answered]);
    }
  }
  socket.end();
  const reply = await answered;
  return { uri: socket.uri, sentSha256: hash.digest('hex'), reply, doneAt: now() };
}
