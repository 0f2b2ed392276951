/**
 * LAN discovery (0x21): "a Tox node with this DHT key is on your network", broadcast
 * unencrypted. The receiver answers with a nodes request to the sender, which is what
 * actually brings the two into each other's DHT.
 *
 * | Length | Type       | Contents                 |
 * |--------|------------|--------------------------|
 * | 1      | `uint8_t`  | 0x21                     |
 * | 32     | public key | sender's DHT public key  |
 *
 * Exactly 33 bytes.
 *
 * @see spec/dht.md#lan-discovery-0x21
 * @module
 */
import { PUBLIC_KEY_SIZE } from '../crypto/index.ts';
import { ByteReader, DecodeError, NetPacket } from '../wire/index.ts';
import { expectLength } from './dht-packet.ts';
import { LAN_DISCOVERY_SIZE } from './packet-sizes.ts';

/** The 33-byte packet `[0x21][public key]`, as c-toxcore's `lan_discovery_send` writes it. */
export function encodeLanDiscovery(publicKey: Uint8Array): Uint8Array {
  expectLength(publicKey, PUBLIC_KEY_SIZE, 'public key');
  const packet = new Uint8Array(LAN_DISCOVERY_SIZE);
  packet[0] = NetPacket.LAN_DISCOVERY;
  packet.set(publicKey, 1);
  return packet;
}

/**
 * Returns a copy of the sender's DHT public key. Refuses a first byte other than 0x21
 * (`bad-value`) and any length but 33 (`truncated`, `trailing-bytes`), as
 * `handle_LANdiscovery` does.
 */
export function decodeLanDiscovery(packet: Uint8Array): Uint8Array {
  const r = new ByteReader(packet);
  const id = r.u8('packet id');
  if (id !== NetPacket.LAN_DISCOVERY) {
    throw new DecodeError('bad-value', `LAN discovery: packet id 0x${id.toString(16).padStart(2, '0')}, want 0x21`);
  }
  const publicKey = r.bytes(PUBLIC_KEY_SIZE, 'public key').slice();
  r.end('LAN discovery');
  return publicKey;
}
