/**
 * The onion's first hop through a TCP relay, end to end on the simulator: a ToxNode with UDP
 * off (src/messenger) is connected to one toxlink TcpRelayServer whose built-in UDP onion hop
 * (`onionSocket`, src/relay/onion-hop.ts) sits on a simulated Tox network of DhtNodes and
 * OnionNodes (test/onion/sim-tox-net.ts). Every onion request of the node goes through the
 * relay as an onion request frame; the relay sends it to hop 2 as a 0x81 with a return blob
 * naming the client; answers come back to the relay's socket as 0x8e and reach the node as
 * onion response frames.
 *
 * The node gets onion-connected, and it and a friend on the UDP network (an OnionClient on a
 * node of the network) find each other's DHT keys: the friend's DHT key announcement and the
 * announce and search responses travel down a return path whose first hop is the relay.
 */
import test from 'ava';
import { generateKeyPair } from '../../src/crypto/index.ts';
import type { DatagramTransport, SimHost } from '../../src/io/index.ts';
import { ToxNode } from '../../src/messenger/index.ts';
import { OnionClient } from '../../src/onion/index.ts';
import { TcpRelayServer } from '../../src/relay/index.ts';
import { toHex } from '../../src/wire/index.ts';
import { simToxNet } from './sim-tox-net.ts';

const RELAY_TCP_PORT = 33447;
const RELAY_ONION_PORT = 33446;
/** Bootstrap nodes given to the TCP-only node: its only path nodes until announce responses name more. */
const BOOTSTRAPS = 4;
const LIMIT_S = 120;

test('a node with UDP off gets onion-connected through a toxlink relay and finds a friend on the UDP network', async (t) => {
  const net = await simToxNet(24, { seed: 41 });
  const closers: Array<() => Promise<void> | void> = [];
  t.teardown(async () => { for (const c of closers.reverse()) await c(); await net.close(); });

  // The relay: TCP for its clients, one UDP socket for its onion hop.
  const relayHost: SimHost = net.sim.addHost({ name: 'relay' });
  const onionSocket: DatagramTransport = await relayHost.bindUdp({ host: '0.0.0.0', port: RELAY_ONION_PORT });
  const relay = new TcpRelayServer({ network: relayHost, clock: net.clock, keyPair: generateKeyPair(), onionSocket });
  const relayErrors: Error[] = [];
  relay.on('error', (e) => relayErrors.push(e));
  await relay.listen({ host: '0.0.0.0', port: RELAY_TCP_PORT });
  closers.push(() => onionSocket.close(), () => relay.close());

  // The node with UDP off: the relay, and a few DHT nodes it can only use as onion hops 2 and 3.
  const xHost = net.sim.addHost({ name: 'tcp-only' });
  const x = await ToxNode.start({ network: xHost, clock: net.clock, realKeyPair: generateKeyPair(), udp: false, randomInt: (n) => net.prng.nextInt(0, n) });
  closers.push(() => x.close());
  x.addTcpRelay({ address: { host: relayHost.ip, port: RELAY_TCP_PORT }, publicKey: relay.publicKey });
  for (const node of net.nodes.slice(0, BOOTSTRAPS)) x.bootstrap(node.address, node.dht.publicKey);
  const xErrors: Error[] = [];
  x.onion.events.on('error', (e) => xErrors.push(e));

  // The friend, on a node of the UDP network.
  const yNode = net.nodes[12]!;
  const yReal = generateKeyPair();
  const y = new OnionClient({
    clock: net.clock, sender: yNode.socket, dht: yNode.dht, realKeyPair: yReal, dhtKeyPair: yNode.dhtKeyPair, randomInt: (n) => net.prng.nextInt(0, n),
  });
  closers.push(() => y.close());
  yNode.addHandler((data, from) => y.receive(data, from));

  const learned = { x: undefined as number | undefined, y: undefined as number | undefined, yRelays: [] as string[] };
  x.onion.events.on('dht-key', (e) => { if (e.via === 'onion' && toHex(e.dhtPublicKey) === toHex(yNode.dht.publicKey)) learned.x ??= net.clock.now(); });
  y.events.on('dht-key', (e) => {
    if (e.via !== 'onion' || toHex(e.dhtPublicKey) !== toHex(x.dhtKeyPair.publicKey)) return;
    learned.y ??= net.clock.now();
    learned.yRelays = e.relays.map((r) => toHex(r.publicKey));
  });
  x.onion.addFriend(yReal.publicKey);
  y.addFriend(x.realKeyPair.publicKey);

  let connectedAt: number | undefined;
  const start = net.clock.now();
  for (let s = 0; s < LIMIT_S && !(connectedAt !== undefined && learned.x !== undefined && learned.y !== undefined); s++) {
    await net.clock.advanceAsync(1000);
    if (connectedAt === undefined && x.onion.isConnected) connectedAt = net.clock.now();
  }
  const since = (at: number | undefined): string => (at === undefined ? 'never' : `${(at - start) / 1000} s`);
  t.log(`TCP-only node onion-connected after ${since(connectedAt)}; learned the friend's DHT key after ${since(learned.x)}; the friend learned its key after ${since(learned.y)}`);
  t.log(`relay onion hop: ${JSON.stringify({ ...relay.onionHop!.stats, dropped: relay.onionHop!.stats.dropped.toJSON() })}; x drops: ${JSON.stringify(x.onion.stats.dropped)}`);

  t.truthy(connectedAt, 'the TCP-only node is onion-connected');
  t.truthy(learned.x, 'it learned its friend\'s DHT key through the onion');
  t.truthy(learned.y, 'its friend learned its DHT key through the onion');

  // Everything it sent went through the relay, and the answers came back the same way.
  t.is(x.udpAddress, undefined);
  t.true(x.onion.stats.tcpRequests > 0);
  t.is(x.onion.stats.tcpRequests, x.tcp.stats.onionRequests);
  const hop = relay.onionHop!.stats;
  t.true(hop.requestsForwarded >= x.onion.stats.tcpRequests * 0.9, 'the relay forwarded the node\'s requests');
  t.true(hop.responsesDelivered > 0, 'answers came back through the relay\'s onion hop');
  t.is(hop.dropped.get('bad-return') ?? 0, 0);
  t.is(hop.dropped.get('undeliverable') ?? 0, 0);
  t.true((x.onion.stats.accepted['announce-response'] ?? 0) > 0);
  t.true((x.onion.stats.accepted['search-response'] ?? 0) > 0);
  t.true((x.onion.stats.accepted['dht-key-onion'] ?? 0) > 0, 'onion data reached the node down a return path through the relay');
  // Its announcement is stored at announce nodes of the network, with hop 3 a UDP node.
  const stored = net.nodes.filter((n) => n.onion.announceStore.find(x.realKeyPair.publicKey, net.clock.now()) !== undefined);
  t.true(stored.length >= 4, `announced at ${stored.length} nodes`);
  // No onion node met a return blob it could not route.
  for (const node of net.nodes) t.is(node.onion.stats.dropped['tcp-client'], undefined);
  t.deepEqual(xErrors, []);
  t.deepEqual(relayErrors, []);
});
