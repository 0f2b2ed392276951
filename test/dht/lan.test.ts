import test from 'ava';
import { TOX_PORTRANGE_FROM, TOX_PORTRANGE_TO } from '../../src/dht/config.ts';
import { LAN_DISCOVERY_FIRST_PORT, isLanAddress, isLocalAddress, lanDiscoveryRound } from '../../src/dht/lan.ts';

// Each range at and just past its edges, as ip_is_lan in c-toxcore 0.2.18 LAN_discovery.c.
const lan = [
  '127.0.0.0', '127.0.0.1', '127.255.255.255',
  '10.0.0.0', '10.255.255.255',
  '172.16.0.0', '172.31.255.255',
  '192.168.0.0', '192.168.255.255',
  '169.254.1.0', '169.254.254.255',
  '100.64.0.0', '100.127.255.255',
  '::1',
  'fe80::', 'fe80::1', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  'ff02::1', 'ff01::1', 'ff00::1', 'ff02:1234::1',
  '::ffff:10.1.2.3', '::ffff:127.0.0.1', '::ffff:192.168.1.1', '::ffff:169.254.7.7', '::ffff:100.64.0.1',
];
const notLan = [
  '126.255.255.255', '128.0.0.0',
  '9.255.255.255', '11.0.0.0',
  '172.15.255.255', '172.32.0.0',
  '192.167.255.255', '192.169.0.0',
  '169.254.0.0', '169.254.0.255', '169.254.255.0', '169.254.255.255', // the first and last /24 of 169.254/16 are not LAN
  '169.253.1.1', '169.255.1.1',
  '100.63.255.255', '100.128.0.0',
  '0.0.0.0', '255.255.255.255', '8.8.8.8', '203.0.113.1',
  '::', '::2', '2001:db8::1',
  'fe7f:ffff::1', 'fec0::1', 'fc00::1', 'fd00::1', // unique-local fc00::/7 is not LAN for c-toxcore
  'ff02::2', 'ff03::1', 'ff02::1:1:100',
  '::ffff:8.8.8.8', '::ffff:172.32.0.1', '::ffff:169.254.0.1',
  '::10.0.0.1', // IPv4-compatible (not mapped)
  'not an address', '', '10.0.0', 'localhost',
];

test('LAN ranges, each at its boundaries', (t) => {
  for (const host of lan) t.true(isLanAddress(host), host);
  for (const host of notLan) t.false(isLanAddress(host), host);
});

test('loopback is local: 127/8, ::1, and 127/8 mapped', (t) => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) t.true(isLocalAddress(host), host);
  for (const host of ['128.0.0.1', '10.0.0.1', '::', '::2', 'fe80::1', '::ffff:10.0.0.1', 'garbage']) t.false(isLocalAddress(host), host);
});

test('a LAN discovery round: the default port and ten more, then the next ten', (t) => {
  const first = lanDiscoveryRound();
  t.is(LAN_DISCOVERY_FIRST_PORT, 33446);
  t.deepEqual(first.ports, [33445, 33446, 33447, 33448, 33449, 33450, 33451, 33452, 33453, 33454, 33455]);
  t.is(first.next, 33456);
  t.deepEqual(lanDiscoveryRound(first.next).ports.slice(0, 2), [33445, 33456]);
});

test('the rounds sweep 33446 to 33544, stop before 33545, and wrap', (t) => {
  let next = LAN_DISCOVERY_FIRST_PORT;
  const swept = new Set<number>();
  let rounds = 0;
  do {
    const round = lanDiscoveryRound(next);
    t.is(round.ports[0], TOX_PORTRANGE_FROM);
    round.ports.slice(1).forEach((p) => swept.add(p));
    next = round.next;
    rounds++;
  } while (next !== LAN_DISCOVERY_FIRST_PORT && rounds < 100);
  t.is(rounds, 10);
  t.is(swept.size, TOX_PORTRANGE_TO - TOX_PORTRANGE_FROM - 1);
  t.false(swept.has(TOX_PORTRANGE_TO));
  t.deepEqual(lanDiscoveryRound(33536).ports.slice(1), [33536, 33537, 33538, 33539, 33540, 33541, 33542, 33543, 33544]);
});
