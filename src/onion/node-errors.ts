/**
 * Typed errors of the onion node (the hop and the announce node). Only a caller can cause
 * one — a configuration value out of range, a key of the wrong size, using a closed node;
 * nothing that arrives from the network throws: the receive path drops bad packets and
 * counts them (`OnionNodeStats`).
 *
 * @see spec/onion.md#the-announce-node
 * @see spec/onion.md#the-onion-hop
 * @module
 */
/** Why an onion node call was refused. */
export type OnionNodeErrorCode =
  /** A key that is not 32 bytes. */
  | 'bad-key-size'
  /** A configuration value out of range; see {@link OnionNodeConfigError}. */
  | 'bad-config'
  /** The node was closed. */
  | 'closed';

/** An API call an onion node cannot accept. `code` is stable; the message says what to fix. */
export class OnionNodeError extends Error {
  override readonly name: string = 'OnionNodeError';
  constructor(readonly code: OnionNodeErrorCode, message: string) {
    super(message);
  }
}

/** An `OnionNodeConfig` value out of range: `field` names the setting, the message the allowed range. */
export class OnionNodeConfigError extends OnionNodeError {
  override readonly name: string = 'OnionNodeConfigError';
  constructor(readonly field: string, message: string) {
    super('bad-config', message);
  }
}
