/**
 * The README's code cannot rot: every ```ts block is type-checked against the package's
 * face (`toxlink` is src/index.ts here, through tsconfig's `paths`), and then run, with the
 * programs in examples/, on a local Tox network (the demo's: a bootstrap node with a TCP
 * relay) on the simulator, where a friend request through the onion takes seconds of
 * simulated time. Every wait is bounded in simulated time.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { type DemoNetwork, startDemoNetwork } from '../../src/cli/demo-network.ts';
import type { Messenger } from '../../src/messenger/index.ts';
import { toHex } from '../../src/wire/index.ts';
import { startEchoBot } from '../../examples/echo-bot.ts';
import { channelLayer, receiveFiles, sendFile } from '../../examples/send-file.ts';
import { expose, forwardPort } from '../../examples/port-forward.ts';
import { type ExampleNode, startNode } from '../../examples/start-node.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Simulated time any one step may take (finding a friend takes about 4 s). */
const STEP_MS = 120_000;

/** The README's ```ts blocks, in order. */
function readmeBlocks(): string[] {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** Writes the blocks as modules of an ESM folder outside the repository; returns their paths. */
function writeBlocks(blocks: string[]): { dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'toxlink-readme-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  const files = blocks.map((code, i) => {
    const file = join(dir, `block-${i + 1}.ts`);
    writeFileSync(file, code);
    return file;
  });
  return { dir, files };
}

/** Type errors of `files`, compiled with the repository's tsconfig (so `toxlink` is src/index.ts). */
function typeErrors(files: string[]): string[] {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram(files, { ...parsed.options, noEmit: true, rootDir: undefined });
  return ts.getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || files.includes(d.file.fileName))
    .map((d) => {
      const where = d.file === undefined || d.start === undefined ? '' : `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: `;
      return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
}

/** Two nodes with Messengers on the demo network, friends of each other and online. */
async function friends(net: DemoNetwork, a: ExampleNode, b: ExampleNode): Promise<void> {
  b.messenger.on('friend-request', (r) => b.messenger.acceptRequest(r.publicKey));
  const bOfA = a.messenger.addFriend(b.messenger.toxId(), 'hello from the README test');
  await net.wait(a.messenger.waitOnline(bOfA, { timeoutMs: STEP_MS }), STEP_MS, 'a friend request');
  await net.wait(b.messenger.waitOnline(a.node.realKeyPair.publicKey, { timeoutMs: STEP_MS }), STEP_MS, 'coming online');
}

/** A node of the examples on its own simulated host of `net`. */
function exampleNode(net: DemoNetwork, name: string): Promise<ExampleNode> {
  return startNode({ address: net.bootstrap.udp, publicKey: net.bootstrap.publicKey }, net.place(name).network, net.clock);
}

/** The next message `m` hears, as text. */
function nextMessage(m: Messenger): Promise<string> {
  return new Promise((resolve) => {
    const off = m.on('friend-message', (e) => {
      off();
      resolve(e.text);
    });
  });
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

test('every ts block of the README type-checks against the package\'s face', (t) => {
  const blocks = readmeBlocks();
  t.true(blocks.length >= 2, 'the README has its examples');
  t.true(blocks.every((b) => b.includes("from 'toxlink'")), 'each imports the package as a user does');
  const { dir, files } = writeBlocks(blocks);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.deepEqual(typeErrors(files), []);
});

test('the README\'s echo bot and file transfer run on a local network', async (t) => {
  const { dir, files } = writeBlocks(readmeBlocks());
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [echoBlock, fileBlock] = await Promise.all(files.slice(0, 2).map((f) => import(pathToFileURL(f).href))) as [
    { echoBot: (b: unknown, n: unknown, c: unknown) => Promise<{ toxId: string; close(): Promise<void> }> },
    {
      sendFile: (node: unknown, clock: unknown, key: Uint8Array, path: string) => Promise<void>;
      receiveFiles: (node: unknown, clock: unknown, path: string) => { close(): void };
    },
  ];
  const net = await startDemoNetwork({ kind: 'sim', seed: 31 });
  t.teardown(() => net.close());
  const bootstrap = { address: net.bootstrap.udp, publicKey: net.bootstrap.publicKey };

  // The echo bot answers a friend.
  const bot = await echoBlock.echoBot(bootstrap, net.place('bot').network, net.clock);
  t.teardown(() => bot.close());
  const alice = await exampleNode(net, 'alice');
  t.teardown(() => alice.close());
  const toBot = alice.messenger.addFriend(bot.toxId, 'are you a bot?');
  await net.wait(alice.messenger.waitOnline(toBot, { timeoutMs: STEP_MS }), STEP_MS, 'the bot to come online');
  const echoed = nextMessage(alice.messenger);
  alice.messenger.sendMessage(toBot, 'ping, from the README');
  t.is(await net.wait(echoed, 10_000, 'the echo'), 'ping, from the README');

  // A file over a channel.
  const bob = await exampleNode(net, 'bob');
  t.teardown(() => bob.close());
  await friends(net, alice, bob);
  const content = randomBytes(300_000);
  const from = join(dir, 'report.in');
  const to = join(dir, 'report.out');
  writeFileSync(from, content);
  const receiving = fileBlock.receiveFiles(bob.node, net.clock, to);
  t.teardown(() => receiving.close());
  await net.wait(fileBlock.sendFile(alice.node, net.clock, bob.node.realKeyPair.publicKey, from), STEP_MS, 'sending the file');
  t.is(sha(readFileSync(to)), sha(content), 'Bob wrote what Alice sent, byte for byte');
});

test('examples/echo-bot.ts and examples/send-file.ts run on a local network: two files at once', async (t) => {
  const net = await startDemoNetwork({ kind: 'sim', seed: 32 });
  t.teardown(() => net.close());
  const bootstrap = { address: net.bootstrap.udp, publicKey: net.bootstrap.publicKey };
  const bot = await startEchoBot(bootstrap, net.place('bot').network, net.clock);
  t.teardown(() => bot.close());
  const alice = await exampleNode(net, 'alice');
  t.teardown(() => alice.close());
  await friends(net, alice, bot);
  const echoed = nextMessage(alice.messenger);
  alice.messenger.sendMessage(bot.node.realKeyPair.publicKey, 'hello bot', 'action');
  t.is(await net.wait(echoed, 10_000, 'the echo'), 'hello bot');

  const dir = mkdtempSync(join(tmpdir(), 'toxlink-examples-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const names = ['one.bin', 'two.bin'];
  const contents = names.map(() => randomBytes(200_000));
  names.forEach((n, i) => writeFileSync(join(dir, n), contents[i]!));
  const inbox = mkdtempSync(join(dir, 'inbox-'));
  const received: string[] = [];
  const botManager = channelLayer(bot.node, net.clock);
  const aliceManager = channelLayer(alice.node, net.clock);
  t.teardown(() => {
    botManager.close();
    aliceManager.close();
  });
  receiveFiles(botManager, inbox, (path, error) => received.push(error === undefined ? path : `${path}: ${error.message}`));
  const key = bot.node.realKeyPair.publicKey;
  await net.wait(Promise.all(names.map((n) => sendFile(aliceManager, key, join(dir, n)))), STEP_MS, 'sending two files');
  t.deepEqual(received.sort(), names.map((n) => join(inbox, n)).sort());
  names.forEach((n, i) => t.is(sha(readFileSync(join(inbox, n))), sha(contents[i]!), n));
});

test('examples/port-forward.ts: a local HTTP server reached through an exposer and a forward', async (t) => {
  const net = await startDemoNetwork({ kind: 'sim', seed: 33 });
  t.teardown(() => net.close());
  const alice = await exampleNode(net, 'alice');
  const bob = await exampleNode(net, 'bob');
  t.teardown(async () => {
    await alice.close();
    await bob.close();
  });
  await friends(net, alice, bob);

  const page = randomBytes(100_000);
  const server = createServer((_, res) => res.end(page));
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const bobManager = channelLayer(bob.node, net.clock);
  const aliceManager = channelLayer(alice.node, net.clock);
  const exposer = expose(bobManager, 'web', `127.0.0.1:${(server.address() as AddressInfo).port}`, [alice.node.realKeyPair.publicKey]);
  const local = await forwardPort(aliceManager, bob.node.realKeyPair.publicKey, 'web', 0);
  t.teardown(async () => {
    await local.close();
    await exposer.close();
    aliceManager.close();
    bobManager.close();
  });
  const fetched = new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
    get({ host: '127.0.0.1', port: local.address!.port, path: '/', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) })).on('error', reject);
    }).on('error', reject);
  });
  const got = await net.wait(fetched, STEP_MS, 'the page through the forward');
  t.is(got.status, 200);
  t.is(toHex(createHash('sha256').update(got.body).digest()), sha(page));
});
