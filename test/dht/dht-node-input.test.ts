// The DHT node's receive path under bad input: every refusal is counted by reason, nothing
// throws, nothing is answered that should not be, and a flood from one source is limited.
import test from 'ava';
import fc from 'fast-check';
import { SimClock } from '../../src/io/index.ts';
import { generateKeyPair, precompute, randomBytes, randomNonce } from '../../src/crypto/index.ts';
import {
  DhtNode, decodeDhtEnvelope, decodeNodesRequestPlain, decodePingPlain, encodeNodesRequest, encodeNodesResponse, encodePing, openDhtPacket,
} from '../../src/dht/index.ts';
import { NetPacket, type IpPort } from '../../src/wire/index.ts';

function harness(config = {}) {
  const clock = new SimClock();
  const sent: Array<{ to: IpPort; data: Uint8Array }> = [];
  const node = new DhtNode({ clock, sender: { send: (to, data) => sent.push({ to, data }) }, config });
  return { clock, node, sent };
}

const peerAddress = { host: '20.0.0.9', port: 33445 };

test('a ping request is answered once with the same ping id; a response to nothing we asked is unsolicited', (t) => {
  const { node, sent } = harness();
  const peer = generateKeyPair();
  const key = precompute(node.publicKey, peer.secretKey)!;
  const pingId = randomBytes(8);
  node.receive(encodePing('request', peer.publicKey, key, randomNonce(), pingId), peerAddress);
  t.is(sent.length, 1);
  t.is(sent[0]!.data[0], NetPacket.PING_RESPONSE);
  t.deepEqual(sent[0]!.to, peerAddress);
  node.receive(encodePing('response', peer.publicKey, key, randomNonce(), pingId), peerAddress);
  t.is(node.stats.dropped.unsolicited, 1);
  t.is(node.closeList.get(peer.publicKey), undefined, 'an unsolicited response does not enter the close list');
});

test('a nodes response is accepted once, from the key and address asked, within 5 s', (t) => {
  const { node, sent, clock } = harness();
  const peer = generateKeyPair();
  const key = precompute(node.publicKey, peer.secretKey)!;
  const other = { protocol: 'udp' as const, ipPort: { host: '20.0.0.10', port: 1 }, publicKey: generateKeyPair().publicKey };
  /** Asks the peer for nodes and returns the response the peer would send. */
  const ask = () => {
    node.requestNodes(peerAddress, peer.publicKey, node.publicKey);
    const request = sent.filter((s) => s.data[0] === NetPacket.GET_NODES).at(-1)!;
    const { sendback } = decodeNodesRequestPlain(openDhtPacket(decodeDhtEnvelope(request.data), key)!);
    return encodeNodesResponse(peer.publicKey, key, randomNonce(), [other], sendback);
  };
  const answer = ask();
  node.receive(answer, peerAddress);
  t.truthy(node.closeList.get(peer.publicKey), 'the answer puts the peer in the close list');
  node.receive(answer, peerAddress);
  t.is(node.stats.dropped.unsolicited, 1, 'a replay');
  // As in c-toxcore, an id is spent by its first use, even a wrong one.
  node.receive(ask(), { host: '20.0.0.99', port: 33445 });
  t.is(node.stats.dropped.unsolicited, 2, 'from another address');
  const late = ask();
  clock.advance(5_000);
  node.receive(late, peerAddress);
  t.is(node.stats.dropped.unsolicited, 3, 'after 5 s');
  t.is(node.stats.accepted['nodes-response'], 1);
});

test('packets from our own key, of the wrong size or with a bad MAC are dropped by reason', (t) => {
  const { node, sent } = harness();
  const self = { publicKey: node.publicKey };
  const peer = generateKeyPair();
  const key = precompute(node.publicKey, peer.secretKey)!;
  node.receive(encodePing('request', self.publicKey, randomBytes(32), randomNonce(), randomBytes(8)), peerAddress);
  t.is(node.stats.dropped['from-self'], 1);
  const ping = encodePing('request', peer.publicKey, key, randomNonce(), randomBytes(8));
  node.receive(ping.subarray(0, 81), peerAddress);
  t.is(node.stats.dropped['bad-size'], 1);
  const bad = ping.slice();
  bad[81]! ^= 1;
  node.receive(bad, peerAddress);
  t.is(node.stats.dropped['bad-mac'], 1);
  t.is(sent.length, 0);
});

test('a flood of requests from one address is rate-limited; another address is still answered', (t) => {
  const { node, sent } = harness({ requestsPerSecondPerSource: 10, requestBurstPerSource: 20 });
  const peer = generateKeyPair();
  const key = precompute(node.publicKey, peer.secretKey)!;
  for (let i = 0; i < 100; i++) node.receive(encodePing('request', peer.publicKey, key, randomNonce(), randomBytes(8)), peerAddress);
  t.is(sent.length, 20);
  t.is(node.stats.dropped['rate-limited'], 80);
  node.receive(encodePing('request', peer.publicKey, key, randomNonce(), randomBytes(8)), { host: '20.0.0.8', port: 1 });
  t.is(sent.length, 21);
});

test('a nodes request from a node we know nothing to tell gets no answer (c-toxcore refuses empty ones)', (t) => {
  const { node, sent } = harness();
  const peer = generateKeyPair();
  const key = precompute(node.publicKey, peer.secretKey)!;
  node.receive(encodeNodesRequest(peer.publicKey, key, randomNonce(), peer.publicKey, randomBytes(8)), peerAddress);
  t.is(node.stats.accepted['nodes-request'], 1);
  t.is(sent.length, 0);
});

test('random datagrams of every DHT kind never throw and are all counted as drops', (t) => {
  const { node, sent } = harness({ requestsPerSecondPerSource: 1e6, requestBurstPerSource: 1e6 });
  let handled = 0;
  fc.assert(fc.property(fc.constantFrom(0x00, 0x01, 0x02, 0x04, 0x20), fc.uint8Array({ maxLength: 1100 }), (kind, body) => {
    const data = new Uint8Array([kind, ...body]);
    if (node.receive(data, peerAddress)) handled++;
  }), { numRuns: 3000 });
  t.is(handled, 3000);
  t.is(node.stats.totalDropped, 3000);
  t.is(sent.length, 0);
  t.false(node.receive(new Uint8Array([0x18, 1, 2]), peerAddress), 'other kinds are left to the caller');
});

test('no amplification: a requester gets one node until it has answered us from that address, then four', async (t) => {
  const { node, sent, clock } = harness();
  const peer = generateKeyPair();
  const key = precompute(node.publicKey, peer.secretKey)!;
  // Give the node something to tell: three nodes that answer a request.
  for (let i = 0; i < 3; i++) {
    const other = generateKeyPair();
    const otherKey = precompute(node.publicKey, other.secretKey)!;
    const otherAddress = { host: `20.0.0.${50 + i}`, port: 1 };
    node.requestNodes(otherAddress, other.publicKey, node.publicKey);
    const { sendback } = decodeNodesRequestPlain(openDhtPacket(decodeDhtEnvelope(sent.at(-1)!.data), otherKey)!);
    node.receive(encodeNodesResponse(other.publicKey, otherKey, randomNonce(), [{ protocol: 'udp', ipPort: { host: '20.0.1.1', port: 2 }, publicKey: generateKeyPair().publicKey }], sendback), otherAddress);
    t.truthy(node.closeList.get(other.publicKey));
  }
  sent.length = 0;
  const responses = () => sent.filter((s) => s.data[0] === NetPacket.SEND_NODES_IPV6);

  const ask = (from: IpPort) => node.receive(encodeNodesRequest(peer.publicKey, key, randomNonce(), peer.publicKey, randomBytes(8)), from);
  ask(peerAddress);
  t.is(responses().length, 1);
  t.is(responses()[0]!.data.length, 82 + 39, 'a stranger gets one node: 121 bytes for a 113-byte request');
  t.is(node.stats.unverifiedRequests, 1);
  // The node pings the stranger within 2 s; the stranger answers from its address.
  clock.advance(3_000);
  const ping = sent.find((s) => s.data[0] === NetPacket.PING_REQUEST && s.to.host === peerAddress.host)!;
  t.truthy(ping, 'the stranger was pinged');
  const pingId = decodePingPlain('request', openDhtPacket(decodeDhtEnvelope(ping.data), key)!);
  node.receive(encodePing('response', peer.publicKey, key, randomNonce(), pingId), peerAddress);
  sent.length = 0;
  ask(peerAddress);
  t.is(responses().at(-1)!.data.length, 82 + 3 * 39, 'now it gets every node we have (three)');
  ask({ host: '20.0.0.66', port: 9 });
  t.is(responses().at(-1)!.data.length, 82 + 39, 'but a spoofed address still gets one');
});
