/**
 * An echo bot on the Messenger API: it accepts every friend request and sends every
 * message back. Run it, then add its Tox ID from any Tox client (qTox, toxic,
 * `toxlink chat`) on the same network:
 *
 *   node --import=tsx examples/echo-bot.ts 127.0.0.1:33445:<bootstrap node's key>
 */
import type { io, messenger } from 'toxlink';
import { type Bootstrap, type ExampleNode, isMain, parseBootstrap, startNode } from './start-node.ts';

/** Makes a Messenger an echo bot; returns the function that stops it. */
export function echo(m: messenger.Messenger): () => void {
  const offs = [
    m.on('friend-request', (request) => m.acceptRequest(request.publicKey)),
    m.on('friend-message', ({ friendNumber, text, type }) => {
      if (m.connectionStatus(friendNumber) !== 'none') m.sendMessage(friendNumber, text, type);
    }),
  ];
  return () => offs.forEach((off) => off());
}

/** Starts a node that echoes (on this machine's network unless told). */
export async function startEchoBot(bootstrap: Bootstrap, network?: io.Network, clock?: io.Clock): Promise<ExampleNode> {
  const bot = await startNode(bootstrap, network, clock);
  bot.messenger.setName('echo bot');
  echo(bot.messenger);
  return bot;
}

if (isMain(import.meta)) {
  const bot = await startEchoBot(parseBootstrap(process.argv[2]));
  console.log(`echo bot: add ${bot.messenger.toxId()}`);
  bot.messenger.on('friend-connection', (c) => console.log(`friend ${c.friendNumber} ${c.status === 'none' ? 'offline' : `online (${c.status})`}`));
  process.once('SIGINT', () => void bot.close());
}
