/**
 * Port forwarding with the library (what `toxlink expose` and `toxlink forward` run): one
 * side exposes a TCP service by name to chosen friends, the other makes it a local port.
 * Every TCP connection to that port is one channel; a friend's service looks like a local
 * one.
 *
 *   node --import=tsx examples/port-forward.ts expose web 127.0.0.1:8080 FRIEND_KEY HOST:PORT:KEY
 *   node --import=tsx examples/port-forward.ts forward TOX_ID web 8000 HOST:PORT:KEY
 */
import { mux, wire } from 'toxlink';
import { channelLayer } from './send-file.ts';
import { isMain, parseBootstrap, startNode } from './start-node.ts';

/** Serves `tcp://NAME` → `target` (`HOST:PORT`) to `friends` (every friend of the node when empty). */
export function expose(manager: mux.ConnectionManager, name: string, target: string, friends: readonly Uint8Array[] = []): mux.Exposer {
  return new mux.Exposer({ manager, services: [{ name, target, ...(friends.length > 0 ? { friends } : {}) }] });
}

/** Listens on 127.0.0.1:`port` (0: any free port): each connection leads to the friend's `NAME`. */
export async function forwardPort(manager: mux.ConnectionManager, friendKey: Uint8Array, name: string, port: number): Promise<mux.PortForward> {
  const local = new mux.PortForward({ manager, friendKey, service: name, port });
  await local.listen();
  return local;
}

if (isMain(import.meta)) {
  const [mode, a, b, c, bootstrap] = process.argv.slice(2);
  const peer = await startNode(parseBootstrap(bootstrap));
  const manager = channelLayer(peer.node, peer.clock);
  if (mode === 'expose') {
    const friendKey = wire.fromHex(c ?? '');
    peer.messenger.addFriendNoRequest(friendKey);
    expose(manager, a ?? '', b ?? '', [friendKey]);
    console.log(`exposing ${a} (${b}) to ${c}; our Tox ID is ${peer.messenger.toxId()}`);
  } else {
    const friendKey = wire.parseToxId(a ?? '').publicKey;
    peer.messenger.addFriendNoRequest(friendKey);
    const local = await forwardPort(manager, friendKey, b ?? '', Number(c));
    console.log(`127.0.0.1:${local.address?.port} leads to "${b}" of ${a}; the other side exposes it to ${wire.toHex(peer.node.realKeyPair.publicKey)}`);
  }
}
