/**
 * The control messages of channel 0: one msgpack map per frame. `type` says which message
 * it is (VERSION, CHANNEL, CREDIT, GOAWAY); a CHANNEL message is the seed's ChannelRequest
 * `{name, channel, state}` with a receive window and a reason added. Unknown keys are
 * ignored and unknown types decode to {@link UnknownMessage}, so later versions can add
 * both.
 *
 * @see spec/mux.md#control-messages
 * @module
 */
import { Decoder } from '@msgpack/msgpack';
import { DecodeError, EncodeError } from '../wire/index.ts';
import { MAX_FRAME_BODY } from './frame.ts';
import { readPlainMap, writeMap, type PlainValue } from './control-msgpack.ts';

/** The mux protocol version this code speaks (and the highest it knows). */
export const MUX_VERSION = 1;

/** The `type` of a control message. */
export const ControlType = {
  /** The first message each side sends on channel 0: the version it speaks. */
  VERSION: 0,
  /** A ChannelRequest: open, answer or reset one channel. */
  CHANNEL: 1,
  /** More bytes the sender of this message lets the peer send on one channel. */
  CREDIT: 2,
  /** The sender's mux session on this connection is over; every channel with it. */
  GOAWAY: 3,
} as const;

/** The `state` of a ChannelRequest. Any other value is taken as DECLINE. */
export const ChannelState = {
  /** Open the channel `channel` (an id of the sender's parity) for the name `name`. */
  REQUEST: 0,
  /** Yes to a REQUEST: the channel is open both ways. */
  ACCEPT: 1,
  /** No to a REQUEST (with a `reason`); the id is free again. */
  DECLINE: 2,
  /** Abort an open channel both ways, or withdraw a REQUEST (with a `reason`). Not EOF. */
  RESET: 3,
} as const;

/** `version`: the highest mux version the sender speaks (1 to 255). */
export interface VersionMessage {
  readonly type: 'version';
  readonly version: number;
}

/** A ChannelRequest, in any state. */
export interface ChannelMessage {
  readonly type: 'channel';
  /** The channel id, 1 to 65534. */
  readonly channel: number;
  /** A {@link ChannelState} value, or a state this version does not know (read as DECLINE). */
  readonly state: number;
  /** The channel's name (a URI by convention): required in a REQUEST. */
  readonly name?: string | undefined;
  /** REQUEST and ACCEPT: the sender's receive window, the peer's first credit, in bytes. */
  readonly window?: number | undefined;
  /** DECLINE and RESET: why, for people (at most `maxReasonBytes` is sent). */
  readonly reason?: string | undefined;
}

/** `credit` more bytes may be sent on `channel`. */
export interface CreditMessage {
  readonly type: 'credit';
  readonly channel: number;
  /** 1 to 2³²−1 bytes. */
  readonly credit: number;
  /** The sender's receive window grew to this many bytes (the peer's credit may now go up to it). */
  readonly window?: number | undefined;
}

/** The sender's mux session is over (`reason` for people). */
export interface GoawayMessage {
  readonly type: 'goaway';
  readonly reason: string;
}

/** A message of a type this version does not know: ignored. */
export interface UnknownMessage {
  readonly type: 'unknown';
  readonly code: number;
}

/** Any control message. */
export type ControlMessage = VersionMessage | ChannelMessage | CreditMessage | GoawayMessage | UnknownMessage;

/** Bounds for the msgpack decoder: nothing in a control frame may claim more than a frame holds. */
const decodeLimits = {
  maxStrLength: MAX_FRAME_BODY,
  maxBinLength: MAX_FRAME_BODY,
  maxArrayLength: 64,
  maxMapLength: 32,
  maxExtLength: 64,
} as const;

/**
 * The general decoder, for control frames the direct reader does not take (another form,
 * an unknown key): one for every message, safe to re-enter. Messages are written and most
 * are read directly ({@link writeMap}, {@link readPlainMap}).
 */
const decoder = new Decoder(decodeLimits);

const U32_MAX = 0xffffffff;

/** Encodes a control message as its msgpack map; throws an {@link EncodeError} for a bad value. */
export function encodeControl(message: Exclude<ControlMessage, UnknownMessage>): Uint8Array {
  let keys: string[];
  let values: PlainValue[];
  switch (message.type) {
    case 'version':
      checkInt(message.version, 1, 255, 'version');
      keys = ['type', 'version'];
      values = [ControlType.VERSION, message.version];
      break;
    case 'channel':
      checkInt(message.channel, 1, 0xfffe, 'channel');
      checkInt(message.state, 0, U32_MAX, 'state');
      keys = ['type', 'channel', 'state'];
      values = [ControlType.CHANNEL, message.channel, message.state];
      if (message.name !== undefined) {
        keys.push('name');
        values.push(checkStr(message.name, 'name'));
      }
      if (message.window !== undefined) {
        checkInt(message.window, 0, U32_MAX, 'window');
        keys.push('window');
        values.push(message.window);
      }
      if (message.reason !== undefined) {
        keys.push('reason');
        values.push(checkStr(message.reason, 'reason'));
      }
      break;
    case 'credit':
      checkInt(message.channel, 1, 0xfffe, 'channel');
      checkInt(message.credit, 1, U32_MAX, 'credit');
      keys = ['type', 'channel', 'credit'];
      values = [ControlType.CREDIT, message.channel, message.credit];
      if (message.window !== undefined) {
        checkInt(message.window, 1, U32_MAX, 'window');
        keys.push('window');
        values.push(message.window);
      }
      break;
    case 'goaway':
      keys = ['type', 'reason'];
      values = [ControlType.GOAWAY, checkStr(message.reason, 'reason')];
      break;
    default:
      throw new EncodeError(`unknown control message type ${String((message as { type?: unknown }).type)}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = writeMap(keys, values);
  } catch (error) {
    throw new EncodeError(`control message does not fit a frame: ${(error as Error).message}`);
  }
  if (bytes.length > MAX_FRAME_BODY) throw new EncodeError(`control message of ${bytes.length} bytes, at most ${MAX_FRAME_BODY}`);
  return bytes;
}

function checkStr(value: string, what: string): string {
  if (typeof value !== 'string') throw new EncodeError(`${what} must be a string, got ${typeof value}`);
  return value;
}

function checkInt(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new EncodeError(`${what} must be an integer from ${min} to ${max}, got ${value}`);
}

/**
 * Decodes one control frame body. Throws a {@link DecodeError} and nothing else: `truncated`
 * for an empty body, `bad-value` for bytes that are not one msgpack map, or a known message
 * whose fields have the wrong types or ranges.
 */
export function decodeControl(body: Uint8Array): ControlMessage {
  if (body.length === 0) throw new DecodeError('truncated', 'empty control message');
  if (body.length > MAX_FRAME_BODY) throw new DecodeError('trailing-bytes', `control message of ${body.length} bytes`);
  let value: unknown = readPlainMap(body);
  if (value === undefined) {
    try {
      value = decoder.decode(body);
    } catch (error) {
      throw new DecodeError('bad-value', `control message is not msgpack: ${(error as Error)?.message ?? String(error)}`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array || value instanceof Date) {
    throw new DecodeError('bad-value', 'control message is not a map');
  }
  const map = value as Record<string, unknown>;
  const type = int(map, 'type', 0, U32_MAX, true)!;
  switch (type) {
    case ControlType.VERSION:
      return { type: 'version', version: int(map, 'version', 1, 255, true)! };
    case ControlType.CHANNEL: {
      const channel = int(map, 'channel', 0, 0xffff, true)!;
      const state = int(map, 'state', 0, U32_MAX, true)!;
      const opening = state === ChannelState.REQUEST || state === ChannelState.ACCEPT;
      return {
        type: 'channel', channel, state,
        name: str(map, 'name', state === ChannelState.REQUEST),
        window: int(map, 'window', 0, U32_MAX, opening),
        reason: str(map, 'reason', false),
      };
    }
    case ControlType.CREDIT:
      return {
        type: 'credit', channel: int(map, 'channel', 0, 0xffff, true)!, credit: int(map, 'credit', 1, U32_MAX, true)!,
        window: int(map, 'window', 1, U32_MAX, false),
      };
    case ControlType.GOAWAY:
      return { type: 'goaway', reason: str(map, 'reason', false) ?? '' };
    default:
      return { type: 'unknown', code: type };
  }
}

function int(map: Record<string, unknown>, key: string, min: number, max: number, required: boolean): number | undefined {
  const v = Object.hasOwn(map, key) ? map[key] : undefined;
  if (v === undefined) {
    if (required) throw new DecodeError('bad-value', `control message without ${key}`);
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new DecodeError('bad-value', `control message ${key} must be an integer from ${min} to ${max}`);
  }
  return v;
}

function str(map: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = Object.hasOwn(map, key) ? map[key] : undefined;
  if (v === undefined) {
    if (required) throw new DecodeError('bad-value', `control message without ${key}`);
    return undefined;
  }
  if (typeof v !== 'string') throw new DecodeError('bad-value', `control message ${key} must be a string`);
  return v;
}
