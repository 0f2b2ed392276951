/**
 * Child process of bench/friend.ts: one toxlink node (a ToxNode and a Messenger on real
 * loopback UDP, bootstrapped from tox-bootstrapd) whose friends come and go on request, and
 * whose heap, CPU and datagrams are measured alone in their own process. Driven over IPC
 * (see {@link HubRequest}); run with `--expose-gc`.
 *
 * Usage (forked by bench/friend.ts): friend-hub.ts <bootstrapd UDP port> <bootstrapd key hex>
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { generateKeyPair } from '../src/crypto/index.ts';
import { type Address, type DatagramTransport, type Network, NodeNetwork, SystemClock } from '../src/io/index.ts';
import { Messenger, ToxNode } from '../src/messenger/index.ts';
import { fromHex, toHex } from '../src/wire/index.ts';

/** What the parent asks. */
export type HubRequest =
  | { readonly kind: 'add'; readonly keys: readonly string[] }
  | { readonly kind: 'add-random'; readonly count: number }
  | { readonly kind: 'remove-all' }
  | { readonly kind: 'online' }
  | { readonly kind: 'measure'; readonly seconds: number }
  | { readonly kind: 'stop' };

/** One measurement: heap after a full GC, and what the node spent over `seconds` of idling. */
export interface HubMeasure {
  readonly friends: number;
  readonly online: number;
  readonly heapUsedBytes: number;
  /** Memory outside the JS heap that JS objects hold (ArrayBuffers of Uint8Arrays, mostly). */
  readonly externalBytes: number;
  readonly rssBytes: number;
  readonly userMsPerSecond: number;
  readonly cpuMsPerSecond: number;
  readonly packetsPerSecond: number;
  readonly bytesPerSecond: number;
  /** Datagrams sent per second by first byte (packet kind, hex), over the window. */
  readonly packetsPerSecondByKind: Readonly<Record<string, number>>;
}

/** What the child answers. */
export type HubReply =
  | { readonly kind: 'ready'; readonly realKey: string; readonly dhtKey: string; readonly port: number }
  | { readonly kind: 'added'; readonly friends: number }
  | { readonly kind: 'online'; readonly online: number; readonly friends: number }
  | { readonly kind: 'measure'; readonly measure: HubMeasure }
  | { readonly kind: 'error'; readonly message: string };

const [portArg, keyArg] = process.argv.slice(2);
if (portArg === undefined || keyArg === undefined || process.send === undefined) {
  console.error('usage: forked by bench/friend.ts: friend-hub.ts <bootstrapd UDP port> <bootstrapd key hex>');
  process.exit(2);
}
const send = (reply: HubReply): void => void process.send!(reply);
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);

/** Counts the datagrams the node's socket sends. */
const counted = { packets: 0, bytes: 0, byKind: new Map<number, number>() };
const real = new NodeNetwork();
const network: Network = {
  async bindUdp(address: Address): Promise<DatagramTransport> {
    const socket = await real.bindUdp(address);
    return {
      local: socket.local,
      send(to, data) {
        counted.packets++;
        counted.bytes += data.length;
        counted.byKind.set(data[0] ?? -1, (counted.byKind.get(data[0] ?? -1) ?? 0) + 1);
        socket.send(to, data);
      },
      onReceive: (handler) => socket.onReceive(handler),
      close: () => socket.close(),
    };
  },
  connectTcp: (to) => real.connectTcp(to),
  listenTcp: (address, onConnection) => real.listenTcp(address, onConnection),
};

const clock = new SystemClock();
const realKeyPair = generateKeyPair();
const node = await ToxNode.start({
  network, clock, realKeyPair, udp: { host: '127.0.0.1', port: 0 },
  config: { onion: { noReplayOffsetS: Math.floor(Date.now() / 1000) }, friends: { maxFriends: 4096 } },
});
node.bootstrap({ host: '127.0.0.1', port: Number(portArg) }, fromHex(keyArg));
const messenger = new Messenger({ clock, friends: node.friends, identity: { realKeyPair, nospam: 0x0b0b_cafe } });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const onlineCount = (): number => messenger.friends().filter((f) => f.connection !== 'none').length;

/** Where each measurement window's CPU profile goes (env FRIEND_HUB_PROF), if anywhere. */
const profileDir = process.env['FRIEND_HUB_PROF'];
/** Where a heap snapshot goes after each measurement with friends online (env FRIEND_HUB_SNAPSHOT), if anywhere. */
const snapshotDir = process.env['FRIEND_HUB_SNAPSHOT'];
let measures = 0;

async function measure(seconds: number): Promise<HubMeasure> {
  const session = profileDir === undefined ? undefined : new Session();
  if (session !== undefined) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const packets = counted.packets;
  const bytes = counted.bytes;
  const byKind = new Map(counted.byKind);
  const cpu = process.cpuUsage();
  const start = performance.now();
  await sleep(seconds * 1000);
  const elapsedS = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const sent = { packets: counted.packets - packets, bytes: counted.bytes - bytes, byKind: new Map(counted.byKind) };
  if (session !== undefined) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(profileDir!, `measure-${++measures}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
  gc();
  gc();
  const kinds: Record<string, number> = {};
  for (const [kind, n] of sent.byKind) {
    const rate = (n - (byKind.get(kind) ?? 0)) / elapsedS;
    if (rate > 0) kinds[kind.toString(16).padStart(2, '0')] = Number(rate.toFixed(1));
  }
  const memory = process.memoryUsage();
  const online = onlineCount();
  if (snapshotDir !== undefined && online > 0) writeHeapSnapshot(join(snapshotDir, `online-${online}.heapsnapshot`));
  return {
    friends: messenger.friendList().length,
    online,
    heapUsedBytes: memory.heapUsed,
    externalBytes: memory.external,
    rssBytes: memory.rss,
    cpuMsPerSecond: (used.user + used.system) / 1000 / elapsedS,
    userMsPerSecond: used.user / 1000 / elapsedS,
    packetsPerSecond: sent.packets / elapsedS,
    bytesPerSecond: sent.bytes / elapsedS,
    packetsPerSecondByKind: kinds,
  };
}

async function handle(request: HubRequest): Promise<void> {
  switch (request.kind) {
    case 'add':
      for (const key of request.keys) messenger.addFriendNoRequest(fromHex(key));
      return send({ kind: 'added', friends: messenger.friendList().length });
    case 'add-random':
      for (let i = 0; i < request.count; i++) messenger.addFriendNoRequest(generateKeyPair().publicKey);
      return send({ kind: 'added', friends: messenger.friendList().length });
    case 'remove-all':
      for (const number of messenger.friendList()) messenger.removeFriend(number);
      return send({ kind: 'added', friends: messenger.friendList().length });
    case 'online':
      return send({ kind: 'online', online: onlineCount(), friends: messenger.friendList().length });
    case 'measure':
      return send({ kind: 'measure', measure: await measure(request.seconds) });
    case 'stop':
      messenger.close();
      await node.close();
      process.exit(0);
  }
}

process.on('message', (request: HubRequest) => {
  handle(request).catch((error: unknown) => send({ kind: 'error', message: String((error as Error).stack ?? error) }));
});
process.on('disconnect', () => process.exit(0));
send({ kind: 'ready', realKey: toHex(realKeyPair.publicKey), dhtKey: toHex(node.dhtKeyPair.publicKey), port: node.udpAddress!.port });
