/**
 * NAT hole punching, as c-toxcore 0.2.18 does it (`do_NAT`, `punch_holes`,
 * `nat_commonip`, `nat_getports`): the pure parts. When enough nodes report an address for
 * a searched key that we cannot reach directly, both sides ping the most commonly reported
 * IP at the reported ports, and at guessed ports around them, so that each side's NAT
 * opens a mapping the other's packets can use.
 *
 * @see spec/dht.md#nat-hole-punching
 * @module
 */
import type { IpPort } from '../wire/index.ts';

/** Hole-punching state of one searched key (c-toxcore's `NAT` struct). */
export interface NatState {
  /** The id our NAT ping requests carry; a response with it starts a punch. */
  pingId: Uint8Array;
  /** When we last sent a NAT ping request. */
  pingSentAt: number;
  /** When we last received a NAT ping request from the friend. */
  pingReceivedAt: number;
  /** The friend answered our NAT ping: punch at the next chance. */
  answered: boolean;
  /** When we last punched. */
  punchedAt: number;
  /** Rounds since the last reset. */
  tries: number;
  /** Where the guessing around reported ports continues. */
  index: number;
  /** Where the sweep from port 1024 continues. */
  sweepIndex: number;
}

/** A fresh state with the given ping id. */
export function newNatState(pingId: Uint8Array): NatState {
  return { pingId, pingSentAt: -Infinity, pingReceivedAt: -Infinity, answered: false, punchedAt: -Infinity, tries: 0, index: 0, sweepIndex: 0 };
}

/** The first host that appears at least `minCount` times in `addresses` (`nat_commonip`), or undefined. */
export function commonHost(addresses: readonly IpPort[], minCount: number): string | undefined {
  for (const a of addresses) {
    let n = 0;
    for (const b of addresses) if (b.host === a.host) n++;
    if (n >= minCount) return a.host;
  }
  return undefined;
}

/** The ports reported at `host`, in report order (`nat_getports`). */
export function portsAt(addresses: readonly IpPort[], host: string): number[] {
  return addresses.filter((a) => a.host === host).map((a) => a.port);
}

/** Limits of one punching round. */
export interface PunchLimits {
  /** `MAX_PUNCHING_PORTS` (48). */
  readonly maxPorts: number;
  /** `MAX_NORMAL_PUNCHING_TRIES` (5): rounds before the sweep from port 1024 starts too. */
  readonly maxNormalTries: number;
}

/** The first port of c-toxcore's sweep. */
export const PUNCH_SWEEP_FIRST_PORT = 1024;

/**
 * The ports to ping in one punching round (`punch_holes`), advancing `state`. If every
 * report gives the same port, that port alone. Otherwise `maxPorts` guesses alternating
 * around the reported ports (port + 0, − 1… for each, then + 1, − 2…, as c-toxcore walks
 * them), continuing where the last round stopped. After `maxNormalTries` rounds, also
 * `maxPorts` ports of a sweep upward from 1024. Ports outside 1..65535 are left out.
 */
export function punchPorts(ports: readonly number[], state: NatState, limits: PunchLimits): number[] {
  if (ports.length === 0) return [];
  const out: number[] = [];
  if (ports.every((p) => p === ports[0])) {
    out.push(ports[0]!);
  } else {
    for (let i = 0; i < limits.maxPorts; i++) {
      const it = i + state.index;
      const sign = it % 2 !== 0 ? -1 : 1;
      const delta = sign * Math.floor(it / (2 * ports.length));
      const port = (ports[Math.floor(it / 2) % ports.length]! + delta) & 0xffff;
      out.push(port);
    }
    state.index += limits.maxPorts;
  }
  if (state.tries > limits.maxNormalTries) {
    for (let i = 0; i < limits.maxPorts; i++) out.push((PUNCH_SWEEP_FIRST_PORT + i + state.sweepIndex) & 0xffff);
    state.sweepIndex += limits.maxPorts - limits.maxPorts / 2;
  }
  state.tries++;
  return out.filter((p) => p > 0);
}
