import test from 'ava';
import { EncodeError, formatIpPort, ipFromBytes, ipToBytes, isIpAddress, toHex, unmapIpv4 } from '../../src/wire/index.ts';

const cases: Array<[string, string]> = [
  ['127.0.0.1', '7f000001'],
  ['0.0.0.0', '00000000'],
  ['255.255.255.255', 'ffffffff'],
  ['::1', '00000000000000000000000000000001'],
  ['::', '00000000000000000000000000000000'],
  ['2001:db8::ff00:42:8329', '20010db8000000000000ff0000428329'],
  ['fe80::1', 'fe800000000000000000000000000001'],
  ['2001:db8:0:1:1:1:1:1', '20010db8000000010001000100010001'],
  ['2001:0:0:1::1', '20010000000000010000000000000001'],
  ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
  ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
];

test('canonical text ↔ bytes, both ways', (t) => {
  for (const [text, hex] of cases) {
    t.is(toHex(ipToBytes(text)), hex, text);
    t.is(ipFromBytes(ipToBytes(text)), text, text);
  }
});

test('non-canonical text parses to the same bytes (RFC 5952 output)', (t) => {
  t.is(ipFromBytes(ipToBytes('2001:DB8:0000:0000:0000:FF00:0042:8329')), '2001:db8::ff00:42:8329');
  t.is(ipFromBytes(ipToBytes('0:0:0:0:0:0:0:1')), '::1');
  t.is(ipFromBytes(ipToBytes('2001:db8:0:0:1:0:0:1')), '2001:db8::1:0:0:1', 'the first of two equal zero runs is compressed');
});

test('invalid addresses are refused', (t) => {
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', 'a.b.c.d', '1::2::3', '1:2:3:4:5:6:7:8:9', ':::', 'g::1', '12345::', 'localhost']) {
    t.false(isIpAddress(bad), bad);
    t.throws(() => ipToBytes(bad), { instanceOf: EncodeError }, bad);
  }
});

test('IPv4-mapped addresses unmap to IPv4, others are unchanged', (t) => {
  t.is(unmapIpv4('::ffff:127.0.0.1'), '127.0.0.1');
  t.is(unmapIpv4('::1'), '::1');
  t.is(unmapIpv4('10.0.0.1'), '10.0.0.1');
});

test('formatIpPort brackets IPv6', (t) => {
  t.is(formatIpPort({ host: '::1', port: 33445 }), '[::1]:33445');
  t.is(formatIpPort({ host: '127.0.0.1', port: 1 }), '127.0.0.1:1');
});
