import test from 'ava';
import { SimNetwork, Prng, type NatType } from '../../src/io/index.ts';
import { keyPairFromSecretKey } from '../../src/crypto/index.ts';
import { DhtNode } from '../../src/dht/index.ts';
import { commonHost, newNatState, portsAt, punchPorts } from '../../src/dht/nat-punch.ts';
import { toHex } from '../../src/wire/index.ts';

const limits = { maxPorts: 48, maxNormalTries: 5 };

test('the most common host needs the minimum count; ports are taken in report order', (t) => {
  const a = [{ host: '1.1.1.1', port: 5 }, { host: '2.2.2.2', port: 6 }, { host: '1.1.1.1', port: 7 }, { host: '1.1.1.1', port: 5 }];
  t.is(commonHost(a, 3), '1.1.1.1');
  t.is(commonHost(a, 4), undefined);
  t.deepEqual(portsAt(a, '1.1.1.1'), [5, 7, 5]);
});

test('one port when every report agrees; otherwise 48 guesses walking out around the reports', (t) => {
  const state = newNatState(new Uint8Array(8));
  t.deepEqual(punchPorts([4000, 4000, 4000, 4000], state, limits), [4000]);
  const guesses = punchPorts([4000, 5000], newNatState(new Uint8Array(8)), limits);
  t.is(guesses.length, 48);
  // c-toxcore's walk: it = 0,1,2,… ; sign alternates; index = (it/2) mod n; delta = it/(2n).
  t.deepEqual(guesses.slice(0, 8), [4000, 4000, 5000, 5000, 4001, 3999, 5001, 4999]);
  t.true(guesses.includes(4011) && guesses.includes(3989));
});

test('guessing continues where the last round stopped, and after 5 rounds a sweep from 1024 is added', (t) => {
  const state = newNatState(new Uint8Array(8));
  const first = punchPorts([4000, 5000], state, limits);
  const second = punchPorts([4000, 5000], state, limits);
  t.is(second.filter((p) => first.includes(p)).length, 0, 'the second round tries only new ports');
  for (let i = 0; i < 4; i++) punchPorts([4000, 5000], state, limits);
  const seventh = punchPorts([4000, 5000], state, limits);
  t.is(seventh.length, 96);
  t.deepEqual(seventh.slice(48, 51), [1024, 1025, 1026]);
  t.is(punchPorts([4000, 5000], state, limits)[48], 1024 + 24, 'the sweep moves on by half a round');
});

/**
 * Two nodes behind NATs search for each other through a dozen public nodes. Neither can be
 * reached directly, so they find each other only by punching holes.
 */
async function punchScenario(t: import('ava').ExecutionContext, natA: NatType, natB: NatType, seed: number, config: { holePunching?: boolean } = {}, portAllocation: 'sequential' | 'random' = 'sequential') {
  const sim = new SimNetwork({ seed, link: { latencyMs: 30, jitterMs: 5 } });
  const prng = new Prng(`nat-${seed}`);
  const make = async (host: ReturnType<SimNetwork['addHost']>) => {
    const socket = await host.bindUdp({ host: '0.0.0.0', port: 33445 });
    const keyPair = keyPairFromSecretKey(new Uint8Array(32).map(() => prng.nextInt(0, 256)));
    const node = new DhtNode({ clock: sim.clock, sender: socket, keyPair, config, randomInt: (n) => prng.nextInt(0, n) });
    socket.onReceive((data, from) => node.receive(data, from));
    return { node, address: { host: host.ip, port: 33445 } };
  };
  const publics = [];
  for (let i = 0; i < 12; i++) publics.push(await make(sim.addHost()));
  const a = await make(sim.addHost({ nat: { type: natA, publicIp: '198.51.100.1', portAllocation } }));
  const b = await make(sim.addHost({ nat: { type: natB, publicIp: '198.51.100.2', portAllocation } }));
  for (const p of [...publics.slice(1), a, b]) p.node.bootstrap(publics[0]!.address, publics[0]!.node.publicKey);
  sim.clock.advance(20_000);
  const found: Record<string, string> = {};
  a.node.events.on('friend-address', (e) => { if (toHex(e.publicKey) === toHex(b.node.publicKey)) found['a'] ??= `${e.ipPort.host}:${e.ipPort.port}@${sim.clock.now()}`; });
  b.node.events.on('friend-address', (e) => { if (toHex(e.publicKey) === toHex(a.node.publicKey)) found['b'] ??= `${e.ipPort.host}:${e.ipPort.port}@${sim.clock.now()}`; });
  a.node.addFriend(b.node.publicKey);
  b.node.addFriend(a.node.publicKey);
  sim.clock.advance(60_000);
  t.log(`a found b at ${found['a']}, b found a at ${found['b']}; punch pings a ${a.node.stats.punchPings}, b ${b.node.stats.punchPings}; NAT-filtered ${sim.stats.dropped['nat-filtered']}`);
  return { a, b, found, sim };
}

test('two nodes behind port-restricted NATs find each other', async (t) => {
  // Their searches send nodes requests to each other's mapped address at about the same
  // time; the first ones are filtered, but each opens its sender's NAT for the other's.
  const { a, b, found } = await punchScenario(t, 'port-restricted', 'port-restricted', 3);
  t.regex(found['a'] ?? '', /^198\.51\.100\.2:/, 'a reaches b at b\'s NAT');
  t.regex(found['b'] ?? '', /^198\.51\.100\.1:/, 'b reaches a at a\'s NAT');
  t.truthy(a.node.friendAddress(b.node.publicKey));
  t.truthy(b.node.friendAddress(a.node.publicKey));
});

test('a node behind a symmetric NAT with sequential ports is reached by NAT pings and port guessing', async (t) => {
  const { found, b } = await punchScenario(t, 'symmetric', 'port-restricted', 4);
  t.regex(found['b'] ?? '', /^198\.51\.100\.1:/, 'b reaches a at one of a\'s NAT ports');
  t.regex(found['a'] ?? '', /^198\.51\.100\.2:/, 'and a reaches b');
  t.true(b.node.stats.punchPings >= 48, 'b guessed a round of ports');
});

test('without hole punching, the symmetric NAT keeps them apart', async (t) => {
  // The same network with punching off in every node: the control for the test above.
  const { found } = await punchScenario(t, 'symmetric', 'port-restricted', 4, { holePunching: false });
  t.is(found['b'], undefined);
});

test('behind two symmetric NATs with random ports punching fails within its bounds, and stops with the search', async (t) => {
  const { a, b, found, sim } = await punchScenario(t, 'symmetric', 'symmetric', 5, {}, 'random');
  t.is(found['a'], undefined);
  t.is(found['b'], undefined);
  // 60 s of searching: at most one round (48 guesses, plus 48 of the sweep after 5 rounds)
  // per punch interval (3 s, strictly more) per side.
  for (const n of [a, b]) t.true(n.node.stats.punchPings <= Math.ceil(60_000 / 3_000) * 96, `${n.node.stats.punchPings} punch pings`);
  t.true(a.node.stats.punchPings + b.node.stats.punchPings > 0, 'they did try');
  a.node.removeFriend(b.node.publicKey);
  b.node.removeFriend(a.node.publicKey);
  const before = a.node.stats.punchPings + b.node.stats.punchPings;
  sim.clock.advance(30_000);
  t.is(a.node.stats.punchPings + b.node.stats.punchPings, before, 'no punching once the searches end');
});
