/**
 * Child process of bench/friend.ts: many light friends of one toxlink node, each a
 * net_crypto node, a friend layer and a Messenger on a UDP socket of its own on loopback.
 * A light friend has no DHT node and no onion: it knows the node's DHT key and address as
 * from a saved state (`FriendConnections.setDhtKey`, and a stand-in DHT that answers with the
 * address) and makes the session itself. It lets one process hold hundreds of online
 * friends of the measured node, whose own cost is what bench/friend.ts reports.
 *
 * Usage (forked by bench/friend.ts): friend-lights.ts <count> <node real key hex> <node DHT key hex> <node UDP port>
 *
 * @module
 */
import { generateKeyPair } from '../src/crypto/index.ts';
import { FriendConnections, type FriendDht, type FriendOnion } from '../src/friend/index.ts';
import { NodeNetwork, SystemClock } from '../src/io/index.ts';
import { Messenger } from '../src/messenger/index.ts';
import { NetCrypto } from '../src/netcrypto/index.ts';
import { fromHex, toHex } from '../src/wire/index.ts';

/** What the parent asks. */
export type LightsRequest = { readonly kind: 'connect' } | { readonly kind: 'online' } | { readonly kind: 'stop' };

/** What the child answers. */
export type LightsReply =
  | { readonly kind: 'ready'; readonly keys: readonly string[] }
  | { readonly kind: 'online'; readonly online: number }
  | { readonly kind: 'error'; readonly message: string };

const MAX_LIGHTS = 1000;
const [countArg, realArg, dhtArg, portArg] = process.argv.slice(2);
const count = Number(countArg);
if (!Number.isInteger(count) || count < 1 || count > MAX_LIGHTS || realArg === undefined || dhtArg === undefined || portArg === undefined
  || process.send === undefined) {
  console.error(`usage: forked by bench/friend.ts: friend-lights.ts <count 1..${MAX_LIGHTS}> <real key> <DHT key> <port>`);
  process.exit(2);
}
const send = (reply: LightsReply): void => void process.send!(reply);
const hubReal = fromHex(realArg);
const hubDht = fromHex(dhtArg);
const hubAddress = { host: '127.0.0.1', port: Number(portArg) };

const silentOnion: FriendOnion = {
  addFriend: () => undefined, removeFriend: () => true, setFriendOnline: () => undefined, setFriendDhtKey: () => undefined,
  setOwnRelays: () => undefined, sendFriendRequest: () => 0, events: { on: () => () => undefined },
};
const dht: FriendDht = { addFriend: () => undefined, removeFriend: () => true, friendAddress: () => hubAddress, events: { on: () => () => undefined } };

const network = new NodeNetwork();
const clock = new SystemClock();
const lights: Array<{ messenger: Messenger; friends: FriendConnections; close(): Promise<void> }> = [];
const keys: string[] = [];
for (let i = 0; i < count; i++) {
  const socket = await network.bindUdp({ host: '127.0.0.1', port: 0 });
  const realKeyPair = generateKeyPair();
  let friends: FriendConnections | undefined;
  const netCrypto = new NetCrypto({ clock, sender: socket, realKeyPair, dhtKeyPair: generateKeyPair(), accept: (o) => friends?.accept(o) ?? false });
  friends = new FriendConnections({ clock, dht, netCrypto, onion: silentOnion });
  socket.onReceive((data, from) => void netCrypto.receive(data, from));
  const messenger = new Messenger({ clock, friends, identity: { realKeyPair, nospam: i } });
  const f = friends;
  lights.push({
    messenger, friends: f,
    async close() {
      messenger.close();
      f.close();
      netCrypto.close();
      await socket.close();
    },
  });
  keys.push(toHex(realKeyPair.publicKey));
}
// 'connect' once the node holds them all (the parent adds them there first): each session starts then.
process.on('message', (request: LightsRequest) => {
  void (async () => {
    try {
      if (request.kind === 'connect') {
        for (const l of lights) {
          l.messenger.addFriendNoRequest(hubReal);
          l.friends.setDhtKey(hubReal, hubDht);
        }
        return;
      }
      if (request.kind === 'online') return send({ kind: 'online', online: lights.filter((l) => l.messenger.connectionStatus(hubReal) !== 'none').length });
      for (const l of lights) await l.close();
      process.exit(0);
    } catch (error) {
      send({ kind: 'error', message: String((error as Error).stack ?? error) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
send({ kind: 'ready', keys });
