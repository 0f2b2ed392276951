/** Helpers shared by the simulator tests. */
import type { Address, DatagramTransport, SimClock } from '../../src/io/index.ts';

export interface Received {
  readonly at: number;
  readonly from: Address;
  readonly data: Uint8Array;
}

/** Records every datagram a socket receives, with the virtual time. */
export function collect(socket: DatagramTransport, clock: SimClock): Received[] {
  const received: Received[] = [];
  socket.onReceive((data, from) => received.push({ at: clock.now(), from, data }));
  return received;
}

/** A datagram whose first four bytes hold `n`. */
export function numbered(n: number, size = 4): Uint8Array {
  const data = new Uint8Array(Math.max(4, size));
  new DataView(data.buffer).setUint32(0, n);
  return data;
}

/** The number written by {@link numbered}. */
export function numberOf(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
}

export const ANY = '0.0.0.0';
