/**
 * The Messenger floor. For now only saving and loading: c-toxcore's savedata
 * ({@link decodeToxSave}, {@link encodeToxSave}) and toxlink's own profile file
 * ({@link readProfileFile}, {@link writeProfileFile}).
 *
 * ```ts
 * import { decodeToxSave, profileFromToxSave, writeProfileFile } from './messenger/index.ts';
 * const save = decodeToxSave(await readFile('profile.tox'));   // throws ToxSaveError
 * await writeProfileFile('toxlink-profile.json', profileFromToxSave(save));
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
