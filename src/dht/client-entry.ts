/**
 * One known node, as the close list and the friend lists keep it: what c-toxcore calls
 * `Client_data`, a public key with one association per address family (`IPPTsPng`): the
 * address we heard it at, when, when we last pinged it, and the address it reported for
 * the list's subject (`ret_ip_port`).
 *
 * Also the bookkeeping both lists share: `ClientIndex` (internal) finds entries by key and by
 * address and applies c-toxcore's update rules (`update_client`, `update_client_with_reset`,
 * `update_client_data`), with the differences written in the spec.
 *
 * @see spec/dht.md#close-list
 * @module
 */
import { type IpPort, type PackedNode, checkPort, isIpAddress, isIpv6, unmapIpv4 } from '../wire/index.ts';
import { DhtError } from './errors.ts';
import { checkKey, keyString } from './distance.ts';
import { isLanAddress } from './lan.ts';

/** The `lastPinged` of an association never pinged: any interval has passed since. */
export const NEVER = Number.NEGATIVE_INFINITY;

/** An address family of a node: one association each. */
export type AddressFamily = 'ipv4' | 'ipv6';

/** Which address `closest()` may give for a node. */
export type FamilyChoice = AddressFamily | 'any';

/** One address of a node and its times (`IPPTsPng`). Only `lastPinged` is the caller's to write. */
export interface Assoc {
  /** Where we heard the node, IPv4-mapped addresses unmapped (`ip_port_normalize`). */
  readonly ipPort: IpPort;
  /** Whether `ipPort` is a LAN address ({@link isLanAddress}), worked out once. */
  readonly lan: boolean;
  /** When the node last answered us from `ipPort` (`timestamp`), ms. */
  readonly lastHeard: number;
  /** When we last sent it a getnodes as a ping (`last_pinged`), ms; {@link NEVER} at first. */
  lastPinged: number;
  /** The address this node reported for the list's subject in its last nodes response (`ret_ip_port`). */
  readonly retIpPort?: IpPort;
  /** When it reported `retIpPort` (`ret_timestamp`), ms. */
  readonly retHeard?: number;
  /** Whether `retIpPort` is our own address as this node sees it (`ret_ip_self`). */
  readonly retIsSelf?: boolean;
}

/** A known node (`Client_data`): its key and an association per family, either or both set. */
export interface ClientEntry {
  readonly publicKey: Uint8Array;
  readonly v4?: Assoc;
  readonly v6?: Assoc;
}

/** Options of `closest()` on the close list and the friend lists (`get_close_nodes`). */
export interface ClosestOptions {
  /**
   * Give LAN addresses. c-toxcore gives them only to a requester that is itself on a LAN
   * address (`ip_is_lan(source)`); default false.
   */
  readonly includeLan?: boolean;
  /** Only addresses of this family, or `any` (the default) for the freshest good one. */
  readonly family?: FamilyChoice;
}

/** @internal The writable form the lists keep; callers see {@link Assoc}. */
export interface MutableAssoc {
  ipPort: IpPort;
  lan: boolean;
  lastHeard: number;
  lastPinged: number;
  retIpPort?: IpPort;
  retHeard?: number;
  retIsSelf?: boolean;
}

/** @internal The writable form the lists keep; callers see {@link ClientEntry}. */
export interface MutableClientEntry {
  readonly publicKey: Uint8Array;
  /** {@link keyString} of `publicKey`, kept: lookups across many lists compare it, not the bytes. */
  readonly key: string;
  v4?: MutableAssoc;
  v6?: MutableAssoc;
}

/** `ipPort` with an IPv4-mapped IPv6 host turned into IPv4 (`ip_port_normalize`). */
export function normalizeIpPort(ipPort: IpPort): IpPort {
  const host = unmapIpv4(ipPort.host);
  return host === ipPort.host ? ipPort : { host, port: ipPort.port };
}

/** The family of an address, IPv4-mapped IPv6 counting as IPv4. */
export function familyOf(ipPort: IpPort): AddressFamily {
  return isIpv6(unmapIpv4(ipPort.host)) ? 'ipv6' : 'ipv4';
}

/** Whether `a` and `b` are the same address and port (`ipport_equal`, after normalising). */
export function ipPortsEqual(a: IpPort, b: IpPort): boolean {
  return a.port === b.port && unmapIpv4(a.host) === unmapIpv4(b.host);
}

/** Whether the node answered from this association within `badTimeoutMs` (`!assoc_timeout`). */
export function isAssocGood(assoc: Assoc | undefined, now: number, badTimeoutMs: number): boolean {
  return assoc !== undefined && now < assoc.lastHeard + badTimeoutMs;
}

/** Whether either association of `entry` was heard within `badTimeoutMs` (`BAD_NODE_TIMEOUT`). */
export function isGood(entry: ClientEntry, now: number, badTimeoutMs: number): boolean {
  return isAssocGood(entry.v4, now, badTimeoutMs) || isAssocGood(entry.v6, now, badTimeoutMs);
}

/** Whether either association was heard within `killTimeoutMs` (`KILL_NODE_TIMEOUT`): still worth pinging. */
export function isAlive(entry: ClientEntry, now: number, killTimeoutMs: number): boolean {
  return isAssocGood(entry.v4, now, killTimeoutMs) || isAssocGood(entry.v6, now, killTimeoutMs);
}

/** When the node was last heard on either family; -Infinity if never. */
export function lastHeardOf(entry: ClientEntry): number {
  return Math.max(entry.v4?.lastHeard ?? NEVER, entry.v6?.lastHeard ?? NEVER);
}

/** The association of `entry` for `ipPort`'s family (as c-toxcore picks `assoc4` or `assoc6`), if set. */
export function assocOf(entry: ClientEntry, ipPort: IpPort): Assoc | undefined {
  return familyOf(ipPort) === 'ipv4' ? entry.v4 : entry.v6;
}

/** Whether the association for `ipPort`'s family is good (and, with `sameAddress`, is `ipPort`). */
export function isGoodAt(entry: ClientEntry, ipPort: IpPort, now: number, badTimeoutMs: number, sameAddress = false): boolean {
  const assoc = assocOf(entry, ipPort);
  return isAssocGood(assoc, now, badTimeoutMs) && (!sameAddress || ipPortsEqual(assoc!.ipPort, ipPort));
}

/**
 * The address to give out for `entry` (`get_close_nodes_inner`): among the associations
 * allowed by `family` that are good and, unless `includeLan`, not on a LAN, the one heard
 * last; IPv4 wins a tie.
 */
export function pickAssoc(entry: ClientEntry, now: number, badTimeoutMs: number, options: ClosestOptions = {}): Assoc | undefined {
  const family = options.family ?? 'any';
  const includeLan = options.includeLan ?? false;
  // Two plain checks, no array: this runs for every entry of every friend's list per nodes request.
  const v4 = family !== 'ipv6' && usable(entry.v4, now, badTimeoutMs, includeLan) ? entry.v4 : undefined;
  const v6 = family !== 'ipv4' && usable(entry.v6, now, badTimeoutMs, includeLan) ? entry.v6 : undefined;
  return v4 === undefined ? v6 : v6 === undefined || v4.lastHeard >= v6.lastHeard ? v4 : v6;
}

function usable(assoc: Assoc | undefined, now: number, badTimeoutMs: number, includeLan: boolean): boolean {
  return isAssocGood(assoc, now, badTimeoutMs) && (includeLan || !assoc!.lan);
}

/** `entry` at `assoc` as a packed node. */
export function toPackedNode(entry: ClientEntry, assoc: Assoc): PackedNode {
  return { protocol: 'udp', ipPort: assoc.ipPort, publicKey: entry.publicKey };
}

/**
 * The last host {@link checkIpPort} found valid. One node heard goes through every friend's
 * list (`addto_lists`): without this, its address text is parsed once per friend.
 */
let lastGoodHost = '';

/** Throws a {@link DhtError} `bad-argument` unless `ipPort` is an IP address and a port. */
export function checkIpPort(ipPort: IpPort): void {
  if (!ipPort || typeof ipPort.host !== 'string' || (ipPort.host !== lastGoodHost && !isIpAddress(ipPort.host))) {
    throw new DhtError('bad-argument', `not an IP address: ${JSON.stringify(ipPort?.host)}`);
  }
  lastGoodHost = ipPort.host;
  try {
    checkPort(ipPort.port);
  } catch {
    throw new DhtError('bad-argument', `port out of range: ${String(ipPort.port)}`);
  }
}

/** Throws a {@link DhtError} `bad-argument` unless `n` is a count (an integer ≥ 0). */
export function checkCount(n: number, what = 'n'): void {
  if (!Number.isInteger(n) || n < 0) throw new DhtError('bad-argument', `${what} must be an integer ≥ 0, got ${n}`);
}

function atSameAddress(assoc: MutableAssoc | undefined, ipPort: IpPort): assoc is MutableAssoc {
  return assoc !== undefined && assoc.ipPort.port === ipPort.port && assoc.ipPort.host === ipPort.host;
}

/** The last address keyed: a node heard goes through every friend's list with the same address. */
let lastAddressHost = '';
let lastAddressPort = -1;
let lastAddressKey = '';

function addressKey(ipPort: IpPort): string {
  if (ipPort.host === lastAddressHost && ipPort.port === lastAddressPort) return lastAddressKey;
  lastAddressHost = ipPort.host;
  lastAddressPort = ipPort.port;
  lastAddressKey = `${ipPort.host} ${ipPort.port}`;
  return lastAddressKey;
}

function newAssoc(ipPort: IpPort, now: number): MutableAssoc {
  return { ipPort, lan: isLanAddress(ipPort.host), lastHeard: now, lastPinged: NEVER };
}

/**
 * @internal The entries of one list, found by key and by address. It keeps the rule that
 * one address belongs to at most one entry of a list, and applies the update rules; where
 * an entry lives (which bucket, which slot) is the list's business.
 */
export class ClientIndex {
  readonly #byKey = new Map<string, MutableClientEntry>();
  readonly #byAddress = new Map<string, MutableClientEntry>();
  /**
   * Counts the changes of which entries there are and of their addresses: every change but
   * a refresh of an entry's time at an address it has. A list may keep what it worked out
   * from its entries (its farthest good one) for as long as this stays the same.
   */
  version = 0;

  get size(): number {
    return this.#byKey.size;
  }

  /** The entry of `publicKey`; `key`, its {@link keyString}, if the caller has it already. */
  get(publicKey: Uint8Array, key = keyString(publicKey)): MutableClientEntry | undefined {
    return this.#byKey.get(key);
  }

  values(): IterableIterator<MutableClientEntry> {
    return this.#byKey.values();
  }

  /**
   * `update_client`: `entry` answered from `ipPort` (normalised). The association of that
   * family takes the address and the time, except that one already at a non-LAN address
   * does not move to a LAN address (c-toxcore keeps the public one). `lastPinged` and the
   * reported address stay. Returns an entry that lost its last address to this one, for
   * the caller to drop from its storage.
   */
  refresh(entry: MutableClientEntry, ipPort: IpPort, now: number): MutableClientEntry | undefined {
    // Heard again at the address it has: the common case, for every friend's list a node is in.
    const same = atSameAddress(entry.v4, ipPort) ? entry.v4 : atSameAddress(entry.v6, ipPort) ? entry.v6 : undefined;
    if (same !== undefined) {
      same.lastHeard = now;
      return undefined;
    }
    const family = familyOf(ipPort);
    const assoc = family === 'ipv4' ? entry.v4 : entry.v6;
    if (assoc && !assoc.lan && isLanAddress(ipPort.host)) return undefined;
    if (assoc && ipPortsEqual(assoc.ipPort, ipPort)) {
      assoc.lastHeard = now;
      return undefined;
    }
    this.version++;
    const emptied = this.release(ipPort);
    if (assoc) {
      this.#byAddress.delete(addressKey(assoc.ipPort));
      assoc.ipPort = ipPort;
      assoc.lan = isLanAddress(ipPort.host);
      assoc.lastHeard = now;
    } else if (family === 'ipv4') {
      entry.v4 = newAssoc(ipPort, now);
    } else {
      entry.v6 = newAssoc(ipPort, now);
    }
    this.#byAddress.set(addressKey(ipPort), entry);
    return emptied;
  }

  /**
   * Takes `ipPort` away from the entry that holds it: another key now answers there, so
   * the old key is no longer at that address. Returns that entry if it has no address
   * left, for the caller to drop.
   */
  release(ipPort: IpPort): MutableClientEntry | undefined {
    const key = addressKey(ipPort);
    const holder = this.#byAddress.get(key);
    if (!holder) return undefined;
    this.version++;
    this.#byAddress.delete(key);
    if (familyOf(ipPort) === 'ipv4') delete holder.v4;
    else delete holder.v6;
    return holder.v4 || holder.v6 ? undefined : holder;
  }

  /**
   * `update_client_with_reset` on a fresh entry: `publicKey` heard at `ipPort` (normalised,
   * not held by another entry: call {@link release} first). Not pinged yet, nothing reported.
   */
  insert(publicKey: Uint8Array, ipPort: IpPort, now: number): MutableClientEntry {
    const key = keyString(publicKey);
    this.version++;
    const entry: MutableClientEntry = { publicKey: Uint8Array.from(publicKey), key };
    if (familyOf(ipPort) === 'ipv4') entry.v4 = newAssoc(ipPort, now);
    else entry.v6 = newAssoc(ipPort, now);
    this.#byKey.set(key, entry);
    this.#byAddress.set(addressKey(ipPort), entry);
    return entry;
  }

  /** Forgets `entry` and its addresses. */
  remove(entry: MutableClientEntry): void {
    this.version++;
    this.#byKey.delete(entry.key);
    for (const assoc of [entry.v4, entry.v6]) {
      if (assoc && this.#byAddress.get(addressKey(assoc.ipPort)) === entry) this.#byAddress.delete(addressKey(assoc.ipPort));
    }
  }

  /**
   * `update_client_data`: the node `reporterKey` said, in a nodes response, that the list's
   * subject is at `reportedIpPort`. Stored in the reporter's association of that family;
   * false when the reporter is not in the list or has no association of that family.
   */
  report(reporterKey: Uint8Array, reportedIpPort: IpPort, now: number, isSelf: boolean): boolean {
    const entry = this.get(reporterKey);
    if (!entry) return false;
    const ipPort = normalizeIpPort(reportedIpPort);
    const assoc = familyOf(ipPort) === 'ipv4' ? entry.v4 : entry.v6;
    if (!assoc) return false;
    assoc.retIpPort = ipPort;
    assoc.retHeard = now;
    assoc.retIsSelf = isSelf;
    return true;
  }
}

/** Validates and normalises the arguments every `heard()` takes. */
export function checkHeard(publicKey: Uint8Array, ipPort: IpPort): IpPort {
  checkKey(publicKey);
  checkIpPort(ipPort);
  return normalizeIpPort(ipPort);
}
