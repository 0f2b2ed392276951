// The onion hop on a simulated network: requests built with the codecs travel through three
// real OnionNodes (each a DHT node's socket, as sim-tox-net.ts builds them), the response
// comes back; the hop's return-blob key is replaced at 7200 s and old blobs stop opening;
// every size and address check drops what c-toxcore drops.
import test from 'ava';
import { decryptPrecomputed, encryptPrecomputed, generateKeyPair, precompute, randomNonce } from '../../src/crypto/index.ts';
import type { Address, DatagramTransport } from '../../src/io/index.ts';
import { NetPacket, toHex } from '../../src/wire/index.ts';
import {
  type OnionPath, type PathNode, AnnounceStatus, KEY_REFRESH_INTERVAL_MS, ONION_RETURN_3, createOnionPath, decodeAnnounceResponse, decodeOnionRequest,
  encodeAnnounceRequest, encodeOnionRequest, encodeOnionResponse, openAnnounceResponse,
} from '../../src/onion/index.ts';
import { type SimToxNet, type ToxNetNode, simToxNet } from './sim-tox-net.ts';

const pathNode = (n: ToxNetNode): PathNode => ({ ipPort: n.address, publicKey: n.dht.publicKey });

function pathThrough(from: ToxNetNode, hops: readonly [ToxNetNode, ToxNetNode, ToxNetNode]): OnionPath {
  const path = createOnionPath(from.dhtKeyPair, [pathNode(hops[0]), pathNode(hops[1]), pathNode(hops[2])], generateKeyPair(), generateKeyPair());
  if (!path) throw new Error('no path');
  return path;
}

/** Collects the bare responses (0x84, 0x86) that reach `node`. */
function collect(node: ToxNetNode): Uint8Array[] {
  const got: Uint8Array[] = [];
  node.addHandler((data) => {
    if (data[0] !== NetPacket.ANNOUNCE_RESPONSE_OLD && data[0] !== NetPacket.ONION_DATA_RESPONSE) return false;
    got.push(data.slice());
    return true;
  });
  return got;
}

/** A plain socket on a new host of the network: a destination that is no Tox node. */
async function rawHost(net: SimToxNet): Promise<{ socket: DatagramTransport; address: Address; got: Array<{ data: Uint8Array; from: Address }> }> {
  const host = net.sim.addHost();
  const socket = await host.bindUdp({ host: '0.0.0.0', port: 40000 });
  const got: Array<{ data: Uint8Array; from: Address }> = [];
  socket.onReceive((data, from) => got.push({ data: data.slice(), from }));
  return { socket, address: { host: host.ip, port: 40000 }, got };
}

const dataResponse = (n: number): Uint8Array => new Uint8Array(n).map((_, i) => (i === 0 ? NetPacket.ONION_DATA_RESPONSE : i & 0xff));

test('a request through three OnionNodes reaches its destination, and the response comes back', async (t) => {
  const net = await simToxNet(6, { seed: 11 });
  const [origin, h1, h2, h3] = net.nodes as [ToxNetNode, ToxNetNode, ToxNetNode, ToxNetNode];
  const back = collect(origin);
  const dest = await rawHost(net);
  const payload = new Uint8Array(300).map((_, i) => (i === 0 ? NetPacket.ONION_DATA_REQUEST : (i * 7) & 0xff));
  origin.socket.send(h1.address, encodeOnionRequest(pathThrough(origin, [h1, h2, h3]), randomNonce(), dest.address, payload));
  net.clock.advance(1000);

  t.is(dest.got.length, 1, 'the payload arrived');
  const arrived = dest.got[0]!;
  t.deepEqual(arrived.from, h3.address, 'from hop 3');
  t.is(arrived.data.length, payload.length + ONION_RETURN_3);
  t.is(toHex(arrived.data.subarray(0, payload.length)), toHex(payload), 'payload unchanged');
  t.is(h1.onion.stats.accepted['request-hop-1'], 1);
  t.is(h2.onion.stats.accepted['request-hop-2'], 1);
  t.is(h3.onion.stats.accepted['request-hop-3'], 1);

  // The destination answers with the blob it got; the answer walks back, hop by hop.
  const response = dataResponse(500);
  dest.socket.send(arrived.from, encodeOnionResponse(arrived.data.subarray(payload.length), response));
  net.clock.advance(1000);
  t.is(back.length, 1, 'the bare response reached the originator');
  t.is(toHex(back[0]!), toHex(response));
  t.is(h3.onion.stats.accepted['response-hop-3'], 1);
  t.is(h2.onion.stats.accepted['response-hop-2'], 1);
  t.is(h1.onion.stats.accepted['response-hop-1'], 1);
  for (const n of net.nodes) t.is(n.onion.stats.totalDropped, 0, `node ${n.index} dropped nothing`);
  await net.close();
});

test('an announce request through three hops is answered by a fourth OnionNode, and stored with the ping id it gave', async (t) => {
  const net = await simToxNet(8, { seed: 12 });
  const [origin, h1, h2, h3, announcer] = net.nodes as [ToxNetNode, ToxNetNode, ToxNetNode, ToxNetNode, ToxNetNode];
  const back = collect(origin);
  const real = generateKeyPair();
  const data = generateKeyPair();
  const shared = precompute(announcer.dht.publicKey, real.secretKey)!;
  const path = pathThrough(origin, [h1, h2, h3]);
  const announce = (pingId: Uint8Array, sendback: number): void => {
    const request = encodeAnnounceRequest('old', shared, real.publicKey, randomNonce(), {
      pingId, searchPublicKey: real.publicKey, dataPublicKey: data.publicKey, sendback: new Uint8Array(8).fill(sendback),
    });
    origin.socket.send(h1.address, encodeOnionRequest(path, randomNonce(), announcer.address, request));
    net.clock.advance(1000);
  };
  announce(new Uint8Array(32), 1);
  t.is(back.length, 1);
  const first = openAnnounceResponse(decodeAnnounceResponse(back[0]!), shared)!;
  t.is(first.isStored, AnnounceStatus.NOT_STORED);
  t.true(first.nodes.length > 0 && first.nodes.length <= 4, `${first.nodes.length} nodes`);
  t.is(announcer.onion.announceStore.size(net.clock.now()), 0);

  announce(first.pingIdOrKey, 2);
  t.is(back.length, 2);
  const envelope = decodeAnnounceResponse(back[1]!);
  t.deepEqual([...envelope.sendback], [2, 2, 2, 2, 2, 2, 2, 2], 'the sendback comes back');
  const second = openAnnounceResponse(envelope, shared)!;
  t.is(second.isStored, AnnounceStatus.STORED);
  const entry = announcer.onion.announceStore.find(real.publicKey, net.clock.now());
  t.truthy(entry);
  t.deepEqual(entry!.returnAddress, h3.address, 'stored with hop 3 as its way back');
  await net.close();
});

test('the hop replaces its return-blob key at 7200 s: blobs sealed before no longer open', async (t) => {
  const net = await simToxNet(5, { seed: 13 });
  const [origin, h1, h2, h3] = net.nodes as [ToxNetNode, ToxNetNode, ToxNetNode, ToxNetNode];
  const back = collect(origin);
  const dest = await rawHost(net);
  const path = pathThrough(origin, [h1, h2, h3]);
  const payload = new Uint8Array(200).fill(NetPacket.ANNOUNCE_REQUEST_OLD);
  const blobNow = (): Uint8Array => {
    const before = dest.got.length;
    origin.socket.send(h1.address, encodeOnionRequest(path, randomNonce(), dest.address, payload));
    net.clock.advance(500);
    t.is(dest.got.length, before + 1);
    return dest.got.at(-1)!.data.slice(payload.length);
  };
  const answer = (blob: Uint8Array): number => {
    const before = back.length;
    dest.socket.send(h3.address, encodeOnionResponse(blob, dataResponse(100)));
    net.clock.advance(500);
    return back.length - before;
  };

  const keyMadeAt = h3.onion.keyMadeAt;
  const old = blobNow();
  t.is(answer(old), 1, 'a fresh blob opens');
  net.clock.advanceTo(keyMadeAt + KEY_REFRESH_INTERVAL_MS - 2000);
  t.is(answer(old), 1, 'still opens just before 7200 s');
  t.is(h3.onion.stats.keyRotations, 0);

  net.clock.advanceTo(keyMadeAt + KEY_REFRESH_INTERVAL_MS);
  t.is(answer(old), 0, 'the old blob no longer opens at 7200 s');
  t.is(h3.onion.stats.keyRotations, 1);
  t.is(h3.onion.stats.dropped['bad-return-path'], 1);
  t.true(h3.onion.keyMadeAt >= keyMadeAt + KEY_REFRESH_INTERVAL_MS);

  const fresh = blobNow();
  t.is(answer(fresh), 1, 'a blob sealed with the new key opens');
  await net.close();
});

test('hops drop what c-toxcore 0.2.18 drops: other payload ids at hop 3, bad families, foreign blobs, other response ids', async (t) => {
  const net = await simToxNet(5, { seed: 14 });
  const [origin, h1, h2, h3] = net.nodes as [ToxNetNode, ToxNetNode, ToxNetNode, ToxNetNode];
  const dest = await rawHost(net);
  const path = pathThrough(origin, [h1, h2, h3]);
  const send = (payload: Uint8Array, to: Address = dest.address): void => {
    origin.socket.send(h1.address, encodeOnionRequest(path, randomNonce(), to, payload));
    net.clock.advance(500);
  };

  // Hop 3 forwards only 0x83 and 0x85: not 0x87 (0.2.19 added it), not 0x84.
  for (const id of [NetPacket.ANNOUNCE_REQUEST, NetPacket.ANNOUNCE_RESPONSE_OLD, 0x00]) send(new Uint8Array(177).fill(id));
  t.is(dest.got.length, 0);
  t.is(h3.onion.stats.dropped['malformed-bad-value'], 3);

  // A box sealed to another key.
  const stranger = generateKeyPair();
  const wrong = createOnionPath(origin.dhtKeyPair, [
    { ipPort: h1.address, publicKey: stranger.publicKey }, pathNode(h2), pathNode(h3)], generateKeyPair(), generateKeyPair())!;
  origin.socket.send(h1.address, encodeOnionRequest(wrong, randomNonce(), dest.address, new Uint8Array(10).fill(0x85)));
  net.clock.advance(500);
  t.is(h1.onion.stats.dropped['bad-mac'], 1);

  // A blob sealed by another hop, and a response id 0.2.18 does not pass on.
  send(new Uint8Array(50).fill(0x85));
  const blob = dest.got.at(-1)!.data.slice(50);
  dest.socket.send(h2.address, encodeOnionResponse(blob, dataResponse(60)));
  const foreign = new Uint8Array(1 + ONION_RETURN_3 + 60);
  foreign.set(encodeOnionResponse(blob, dataResponse(60)));
  foreign[1 + ONION_RETURN_3] = NetPacket.ANNOUNCE_RESPONSE;
  dest.socket.send(h3.address, foreign);
  net.clock.advance(500);
  t.is(h2.onion.stats.dropped['bad-return-path'], 1, 'hop 2 cannot open hop 3\'s blob');
  t.is(h3.onion.stats.dropped['malformed-bad-value'], 4, 'a 0x88 response is dropped at hop 3');

  // A next hop of another family: box 1 re-sealed by hand with hop 2's family set to 130 (TCP).
  const request = encodeOnionRequest(path, randomNonce(), dest.address, new Uint8Array(10).fill(0x85));
  const envelope = decodeOnionRequest(request);
  const key = precompute(envelope.publicKey, h1.dhtKeyPair.secretKey)!;
  const plain = decryptPrecomputed(key, envelope.nonce, envelope.box)!;
  plain[0] = 130;
  const forged = new Uint8Array(request.length);
  forged.set(request.subarray(0, 1 + 24 + 32));
  forged.set(encryptPrecomputed(key, envelope.nonce, plain), 1 + 24 + 32);
  origin.socket.send(h1.address, forged);
  net.clock.advance(500);
  t.is(h1.onion.stats.dropped['malformed-bad-family'], 1);
  t.is(h2.onion.stats.accepted['request-hop-2'], 4, 'all but the two refused at hop 1 reached hop 2');
  await net.close();
});
