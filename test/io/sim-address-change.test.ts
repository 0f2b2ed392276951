import test from 'ava';
import { SimError, SimNetwork, StreamResetError, type StreamConnection } from '../../src/io/index.ts';
import { ANY, collect, numbered, numberOf } from './sim-helpers.ts';

/** A phone behind home Wi-Fi's NAT, talking to a public server over UDP and TCP. */
async function phoneScene() {
  const sim = new SimNetwork({ link: { latencyMs: 10 } });
  const server = sim.addHost({ ip: '203.0.113.5' });
  const phone = sim.addHost({ ip: '192.168.0.23', nat: { type: 'port-restricted', publicIp: '198.51.100.10' } });
  const srv = await server.bindUdp({ host: ANY, port: 33445 });
  const udp = await phone.bindUdp({ host: ANY, port: 40000 });
  const atServer = collect(srv, sim.clock);
  const atPhone = collect(udp, sim.clock);
  let serverSide: StreamConnection | undefined;
  await server.listenTcp({ host: ANY, port: 443 }, (conn) => (serverSide = conn));
  const pending = phone.connectTcp({ host: server.ip, port: 443 });
  sim.clock.runUntilIdle();
  const tcp = await pending;
  return { sim, server, phone, srv, udp, atServer, atPhone, tcp, serverSide: serverSide! };
}

test('moving to LTE: UDP keeps its port and sends from the new address', async (t) => {
  const { sim, phone, srv, udp, atServer, atPhone } = await phoneScene();
  udp.send(srv.local, numbered(1));
  sim.clock.runUntilIdle();
  const before = atServer[0]!.from;
  t.is(before.host, '198.51.100.10');

  phone.setAddress('10.64.0.7', { nat: { type: 'symmetric', publicIp: '100.64.12.1' } });
  t.is(phone.ip, '10.64.0.7');
  t.is(phone.publicIp, '100.64.12.1');
  t.deepEqual(udp.local, { host: '10.64.0.7', port: 40000 });

  // The old home mapping is gone: the server's answer to the old address is filtered.
  srv.send(before, numbered(2));
  sim.clock.runUntilIdle();
  t.is(atPhone.length, 0);
  t.is(sim.stats.dropped['nat-filtered'], 1);

  udp.send(srv.local, numbered(3));
  sim.clock.runUntilIdle();
  const after = atServer[1]!.from;
  t.is(after.host, '100.64.12.1');
  srv.send(after, numbered(4));
  sim.clock.runUntilIdle();
  t.deepEqual(atPhone.map((r) => numberOf(r.data)), [4]);
});

test('moving breaks TCP: address-changed here, peer-reset there', async (t) => {
  const { sim, phone, tcp, serverSide } = await phoneScene();
  const errors: Array<Error | undefined> = [];
  tcp.onClose((error) => errors.push(error));
  serverSide.onClose((error) => errors.push(error));
  phone.setAddress('192.168.0.24');
  sim.clock.runUntilIdle();
  t.is(errors.length, 2);
  t.deepEqual(
    errors.map((e) => (e as StreamResetError).reason),
    ['address-changed', 'peer-reset'],
  );
  t.true(errors.every((e) => e instanceof StreamResetError));
  t.is(phone.nat?.publicIp, '198.51.100.10');
});

test('a public host that moves is no longer reachable at its old IP', async (t) => {
  const sim = new SimNetwork();
  const a = sim.addHost({ ip: '203.0.113.1' });
  const b = sim.addHost({ ip: '203.0.113.2' });
  const sa = await a.bindUdp({ host: ANY, port: 1 });
  const sb = await b.bindUdp({ host: ANY, port: 1 });
  const got = collect(sb, sim.clock);
  b.setAddress('203.0.113.3');
  sa.send({ host: '203.0.113.2', port: 1 }, numbered(1));
  sa.send({ host: '203.0.113.3', port: 1 }, numbered(2));
  sim.clock.runUntilIdle();
  t.deepEqual(got.map((r) => numberOf(r.data)), [2]);
  t.is(sim.stats.dropped['no-route'], 1);
  t.throws(() => b.setAddress('203.0.113.1'), { instanceOf: SimError });
  t.is(b.ip, '203.0.113.3');
  b.setAddress('10.0.0.9', { nat: { type: 'full-cone', publicIp: '203.0.113.2' } });
  t.is(b.publicIp, '203.0.113.2');
  b.setAddress('203.0.113.4', { nat: null });
  t.is(b.nat, undefined);
});
