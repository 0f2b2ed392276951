/**
 * Files over the channel layer: a receiver accepts `file://NAME` channels from its friends
 * and writes each to a directory; a sender opens one channel per file and pipes the file
 * into it. Each channel is a Node Duplex with its own flow control, so many files go at
 * once without one holding up another.
 *
 *   node --import=tsx examples/send-file.ts receive DIR HOST:PORT:KEY    # prints its Tox ID
 *   node --import=tsx examples/send-file.ts send TOX_ID FILE HOST:PORT:KEY
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { basename, join } from 'node:path';
import { type io, type messenger, mux, wire } from 'toxlink';
import { isMain, parseBootstrap, startNode } from './start-node.ts';

/** The channel layer of a node: a ConnectionManager over its friend connections. */
export function channelLayer(node: messenger.ToxNode, clock: io.Clock): mux.ConnectionManager {
  return new mux.ConnectionManager({ selfKey: node.realKeyPair.publicKey, connector: mux.friendConnector(node.friends), clock });
}

/** Sends a file to a friend on a channel `file://` + its name; resolves once the friend has all of it. */
export async function sendFile(manager: mux.ConnectionManager, friendKey: Uint8Array, path: string): Promise<void> {
  const channel = await manager.connectDevice(friendKey, `file://${basename(path)}`);
  const file = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    file.on('error', (error) => channel.destroy(error));
    channel.on('error', reject);
    channel.on('end', resolve); // the receiver ends its side once the file is written
    channel.resume();
    file.pipe(channel); // with backpressure; ends the channel (EOF) after the last byte
  });
}

/** Accepts `file://NAME` channels and writes each to `dir/NAME`; `done` hears of each file. */
export function receiveFiles(manager: mux.ConnectionManager, dir: string, done: (path: string, error?: Error) => void = () => {}): void {
  manager.onChannelRequest(({ uri }) => /^file:\/\/[\w.-]{1,128}$/.test(uri));
  manager.on('channel', (channel) => {
    const path = join(dir, basename(channel.uri.slice('file://'.length)));
    const file = createWriteStream(path);
    channel.on('error', (error: Error) => {
      file.destroy();
      done(path, error);
    });
    file.on('error', (error) => channel.destroy(error));
    file.on('finish', () => {
      channel.end(); // tells the sender: all written
      done(path);
    });
    channel.pipe(file);
  });
}

if (isMain(import.meta)) {
  const [mode, arg, file, bootstrap] = process.argv.slice(2);
  const peer = await startNode(parseBootstrap(mode === 'send' ? bootstrap : file));
  const manager = channelLayer(peer.node, peer.clock);
  if (mode === 'receive') {
    peer.messenger.on('friend-request', (r) => peer.messenger.acceptRequest(r.publicKey));
    receiveFiles(manager, arg ?? '.', (path, error) => console.log(error ? `${path}: ${error.message}` : `received ${path}`));
    console.log(`receiving into ${arg ?? '.'}: send to ${peer.messenger.toxId()}`);
  } else {
    const friend = peer.messenger.addFriend(arg ?? '', 'a file for you');
    await peer.messenger.waitOnline(friend, { timeoutMs: 120_000 });
    await sendFile(manager, wire.parseToxId(arg ?? '').publicKey, file ?? '');
    console.log(`sent ${file}`);
    manager.close();
    await peer.close();
  }
}
