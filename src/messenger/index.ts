/**
 * The Messenger floor: what a Tox client programs against. {@link ToxNode} runs every layer
 * on one socket; {@link Messenger} on its friend layer is the chat API (friends, friend
 * requests, messages, names and statuses, custom packets); c-toxcore's savedata
 * ({@link decodeToxSave}, {@link encodeToxSave}) and toxlink's own profile file
 * ({@link readProfileFile}, {@link writeProfileFile}) save and load it.
 *
 * ```ts
 * import { Messenger, ToxNode } from './messenger/index.ts';
 * const node = await ToxNode.start({ network, clock, realKeyPair });
 * node.bootstrap({ host: '127.0.0.1', port: 33445 }, bootstrapKey);
 * const messenger = new Messenger({ clock, friends: node.friends, identity: { realKeyPair, nospam: 0x12345678 } });
 * messenger.on('friend-message', (m) => messenger.sendMessage(m.friendNumber, m.text));   // an echo bot
 * ```
 *
 * @see spec/messenger.md
 * @packageDocumentation
 */
export { ToxSaveError, type ToxSaveErrorCode, ProfileError, type ProfileErrorCode } from './save-errors.ts';
export {
  type ToxSave, type SavedFriend, type SavedRequestFriend, type SavedConfirmedFriend, type OpaqueSection, type UserStatus,
  decodeToxSave, encodeToxSave,
} from './tox-save.ts';
export {
  ToxSaveSection, MAX_TOX_SAVE_SIZE, MAX_SAVED_TCP_RELAYS, MAX_SAVED_PATH_NODES, MAX_SAVED_DHT_NODES, MAX_UNKNOWN_SECTIONS,
  isEncryptedToxSave,
} from './tox-save-sections.ts';
export { MAX_NAME_LENGTH, MAX_STATUS_MESSAGE_LENGTH, MAX_FRIEND_REQUEST_LENGTH, FRIEND_RECORD_SIZE } from './tox-save-friend.ts';
export {
  type Profile, type ProfileFriend, type ProfileFriendRequest, PROFILE_VERSION, MAX_PROFILE_BYTES, MAX_PROFILE_FRIENDS,
  MAX_FRIEND_RELAYS, MAX_PROFILE_DHT_NODES, newProfile, profileKeyPair, profileFromToxSave, toxSaveFromProfile,
} from './profile.ts';
export { PROFILE_FORMAT, encodeProfile, decodeProfile } from './profile-json.ts';
export {
  type ProfileFs, type ProfileFileOptions, nodeProfileFs, writeFileAtomically, readWholeFile, readProfileFile,
  writeProfileFile, importToxSaveFile, exportToxSaveFile,
} from './profile-file.ts';
export { Messenger, type MessengerOptions, type MessengerIdentity, type FriendHandle } from './messenger.ts';
export type { WaitOptions } from './waiting.ts';
export { type MessengerFriendInfo, type ProfileExtras } from './messenger-state.ts';
export type { ReceivedRequest } from './friend-list.ts';
export {
  type MessengerEvents, type ConnectionStatus, type FriendRef, type MessengerListener, MessengerEmitter,
} from './events.ts';
export { MessengerError, type MessengerErrorCode, SetNewNospamError } from './errors.ts';
export {
  type MessengerConfig, defaultMessengerConfig, messengerConfig, FRIEND_REQUEST_TIMEOUT_MS, MAX_RECEIVED_REQUESTS, RECEIPT_CHECK_MS,
} from './config.ts';
export { MessengerStats, MessengerDropCounts, type MessengerDropReason } from './stats.ts';
export {
  type MessengerPacket, type MessageType, MAX_MESSAGE_LENGTH, MAX_CUSTOM_PACKET_SIZE, isCustomLosslessId, isCustomLossyId,
  encodeOnline, encodeOffline, encodeName, encodeStatusMessage, encodeUserStatus, encodeTyping, encodeMessage, decodeMessengerPacket,
} from './packets.ts';
export { ToxNode, type ToxNodeOptions } from './tox-node.ts';
