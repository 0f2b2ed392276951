/**
 * toxlink: the Tox connection stack in TypeScript, wire-compatible with c-toxcore 0.2.18.
 *
 * The floors are exported as namespaces, each with its own chapter in the spec:
 *
 * ```ts
 * import { wire, crypto } from 'toxlink';
 * const id = wire.parseToxId('…76 hex characters…');
 * const keys = crypto.generateKeyPair();
 * ```
 *
 * @see spec/introduction.md
 * @packageDocumentation
 */
export * as crypto from './crypto/index.ts';
export * as wire from './wire/index.ts';
export * as io from './io/index.ts';
export * as dht from './dht/index.ts';
export * as netcrypto from './netcrypto/index.ts';
export * as relay from './relay/index.ts';
export * as onion from './onion/index.ts';
export * as friend from './friend/index.ts';
export * as messenger from './messenger/index.ts';
export * as mux from './mux/index.ts';
