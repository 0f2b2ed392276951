/**
 * The events of the Messenger, and the small typed emitter that carries them. Listeners run
 * after the Messenger's state is updated, so a listener may call back into it (accept a
 * request, answer a message); a listener that throws is reported through `error` and
 * disturbs nothing else.
 *
 * @see spec/messenger.md#events
 * @module
 */
import type { MessageType } from './packets.ts';
import type { UserStatus } from './tox-save.ts';

/**
 * A friend's connection as c-toxcore's `Connection_Status` reports it: `none` until the
 * friend's online packet arrived, then the path of its session.
 */
export type ConnectionStatus = 'none' | 'tcp' | 'udp';

/** Who an event is about: the friend's number and its long-term public key (a copy). */
export interface FriendRef {
  readonly friendNumber: number;
  readonly publicKey: Uint8Array;
}

/** The events of a {@link Messenger}. */
export interface MessengerEvents {
  /**
   * Someone asks to be our friend, to our current nospam, and is not a friend already nor a
   * repeat (`tox_callback_friend_request`). Answer with `Messenger.acceptRequest`.
   */
  'friend-request': {
    readonly publicKey: Uint8Array;
    readonly message: Uint8Array;
    /** The message as UTF-8 text (bad sequences replaced). */
    readonly text: string;
    readonly via: 'onion' | 'session';
  };
  /** A friend came online (with its path), went offline (`none`), or changed path while online. */
  'friend-connection': FriendRef & { readonly status: ConnectionStatus };
  /** A message or action from a friend. */
  'friend-message': FriendRef & { readonly type: MessageType; readonly message: Uint8Array; readonly text: string };
  /** A friend's name, as it sent it (each time, changed or not, as c-toxcore reports it). */
  'friend-name': FriendRef & { readonly name: Uint8Array; readonly text: string };
  'friend-status-message': FriendRef & { readonly statusMessage: Uint8Array; readonly text: string };
  'friend-status': FriendRef & { readonly userStatus: UserStatus };
  'friend-typing': FriendRef & { readonly typing: boolean };
  /** A custom lossless packet (id 160–191); `data` is the whole packet, id first. */
  'custom-lossless': FriendRef & { readonly id: number; readonly data: Uint8Array };
  /** A custom lossy packet (id 200–254); `data` is the whole packet, id first. */
  'custom-lossy': FriendRef & { readonly id: number; readonly data: Uint8Array };
  /** The friend's side acknowledged the message with this id (`tox_callback_friend_read_receipt`). */
  'read-receipt': FriendRef & { readonly messageId: number };
  /** A bug: an exception inside the Messenger or a listener. */
  error: Error;
}

/** A listener of one event, and the emitter (io's `Emitter`; without a hook, a listener's exception becomes the 'error' event). */
export { Emitter as MessengerEmitter, type Listener as MessengerListener } from '../io/index.ts';

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Bytes as text, for the events' `text` fields. */
export function textOf(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
