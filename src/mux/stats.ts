/**
 * Counters of the channel layer: packets and bytes each way, and every frame or packet the
 * receive path refused, by reason. Nothing from the network throws: it is counted here.
 *
 * @see spec/mux.md#bad-input
 * @module
 */

/** Why the channel layer dropped something the friend sent. */
export type MuxDropReason =
  /** A mux packet that is not whole frames (no frame, or a frame running past the end). */
  | 'malformed-packet'
  /** A control frame that is not one msgpack map of a known shape. */
  | 'bad-control'
  /** A control message of a type this version does not know (ignored, so the protocol can grow). */
  | 'unknown-control'
  /** A ChannelRequest state this version does not know, for a channel not waiting for an answer. */
  | 'unknown-state'
  /** A control message before the friend's VERSION. */
  | 'before-version'
  /** A second VERSION in one session. */
  | 'repeated-version'
  /** A frame for channel 65535. */
  | 'reserved-channel'
  /** A frame or message for a channel id not in the table (often just late: the channel ended). */
  | 'unknown-channel'
  /** A frame for one of our opens still waiting for its answer: left over from an older channel with that id. */
  | 'stale-frame'
  /** Data for a channel the friend requested and we have not accepted. */
  | 'data-before-accept'
  /** Data after the friend's own EOF on that channel. */
  | 'data-after-eof'
  /** Data beyond the credit we gave: the channel is reset. */
  | 'window-exceeded'
  /** Credit that would take the friend's grant above the window it announced (clamped). */
  | 'credit-overflow'
  /** A REQUEST for a reserved id, an id of our parity, an id in use, or with a bad name (declined). */
  | 'bad-request'
  /** An ACCEPT or DECLINE for no open of ours. */
  | 'unexpected-answer'
  /** A REQUEST while `maxControlBacklog` messages wait to go out: dropped unanswered. */
  | 'control-backlog'
  /** A mux packet on a connection with no session that does not start one (no VERSION first). */
  | 'no-session'
  /** A packet over `maxEarlyPackets` while `onConnectionRequest` decides. */
  | 'early-overflow';

/** What a session or a manager counted. */
export class MuxStats {
  /** Mux packets handed to carriers. */
  packetsSent = 0;
  /** Mux packets received. */
  packetsReceived = 0;
  /** Channel data bytes sent (frame bodies on channels other than 0). */
  bytesSent = 0;
  /** Channel data bytes received and taken. */
  bytesReceived = 0;
  /** Drops by reason. */
  readonly drops = new Map<MuxDropReason, number>();

  /** Counts one drop. */
  drop(reason: MuxDropReason): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
  }

  /** Drops of one reason, or of all. */
  dropped(reason?: MuxDropReason): number {
    if (reason !== undefined) return this.drops.get(reason) ?? 0;
    let n = 0;
    for (const v of this.drops.values()) n += v;
    return n;
  }
}
