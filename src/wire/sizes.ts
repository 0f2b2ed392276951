/**
 * Sizes the wire floor needs. They repeat crypto's constants by value, because the two
 * floors may not import each other; a test checks that they agree.
 *
 * @module
 * @see spec/wire.md#packet-ids
 * @internal
 */

/** `CRYPTO_PUBLIC_KEY_SIZE`. */
export const PUBLIC_KEY_SIZE = 32;
