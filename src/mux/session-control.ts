/**
 * A session's control path: the friend's control messages on channel 0 — VERSION first,
 * then REQUEST (asking our handler), ACCEPT, DECLINE, RESET and CREDIT for each channel,
 * and GOAWAY — each checked against the channel's phase, so every REQUEST gets exactly one
 * answer and no frame about an old channel reaches a new one.
 *
 * @see spec/mux.md#control-messages
 * @see spec/mux.md#channel-states
 * @see spec/mux.md#flow-control
 * @module
 */
import { MuxChannel } from './channel.ts';
import { isIdOf } from './channel-ids.ts';
import type { ChannelCloseCode } from './channel-socket.ts';
import { ChannelState, decodeControl, type ChannelMessage, type ControlMessage } from './control.ts';
import { MuxError } from './errors.ts';
import { CONTROL_CHANNEL, RESERVED_CHANNEL } from './frame.ts';
import type { SessionCore } from './session-core.ts';
import type { DataPath } from './session-data.ts';
import type { ChannelRefusal, ChannelVerdict } from './session-host.ts';
import { clipUtf8, utf8Length } from './text.ts';

/** What the control path tells its session. */
export interface ControlHooks {
  /** The friend's VERSION arrived. */
  ready(): void;
  /** The friend's GOAWAY: the session is over. */
  end(error: MuxError, code: ChannelCloseCode): void;
}

/** One session's control path. Internal to the session's files. */
export class ControlPath {
  readonly #core: SessionCore;
  readonly #data: DataPath;
  readonly #hooks: ControlHooks;

  constructor(core: SessionCore, data: DataPath, hooks: ControlHooks) {
    this.#core = core;
    this.#data = data;
    this.#hooks = hooks;
  }

  /** One control frame's body. */
  onControl(body: Uint8Array): void {
    const core = this.#core;
    let message: ControlMessage;
    try {
      message = decodeControl(body);
    } catch {
      core.drop('bad-control');
      return;
    }
    if (message.type === 'goaway') {
      const refused = core.peerVersion === undefined;
      this.#hooks.end(
        new MuxError(refused ? 'refused' : 'connection-closed', refused
          ? `the friend's channel layer refused the connection: ${message.reason}`
          : `the friend's channel layer closed the connection: ${message.reason}`, message.reason),
        'connection-closed',
      );
      return;
    }
    if (message.type === 'version') {
      if (core.peerVersion !== undefined) return core.drop('repeated-version');
      core.peerVersion = message.version;
      this.#hooks.ready();
      return;
    }
    if (core.peerVersion === undefined) return core.drop('before-version');
    switch (message.type) {
      case 'channel':
        switch (message.state) {
          case ChannelState.REQUEST: return this.#onRequest(message);
          case ChannelState.ACCEPT: return this.#onAccept(message);
          case ChannelState.RESET: return this.#onReset(message);
          default: return this.#onDecline(message);
        }
      case 'credit': return this.#onCredit(message.channel, message.credit, message.window);
      case 'unknown': return core.drop('unknown-control');
    }
  }

  #onRequest(m: ChannelMessage): void {
    const core = this.#core;
    const config = core.config;
    const id = m.channel;
    const name = m.name ?? '';
    const window = m.window ?? 0;
    if (core.out.controlBacklog >= config.maxControlBacklog) return core.drop('control-backlog');
    const decline = (reason: string): void => {
      core.control({ type: 'channel', channel: id, state: ChannelState.DECLINE, reason });
    };
    if (!isIdOf(core.peerParity, id)) {
      core.drop('bad-request');
      if (id !== CONTROL_CHANNEL && id !== RESERVED_CHANNEL) decline('the id is not one the requester may choose');
      return;
    }
    if (core.channels.has(id)) {
      core.drop('bad-request');
      return decline('the id is in use');
    }
    if (name.length === 0 || utf8Length(name) > config.maxUriBytes) {
      core.drop('bad-request');
      return decline(`the name must be 1 to ${config.maxUriBytes} UTF-8 bytes`);
    }
    if (core.channels.size >= config.maxChannels) return decline('too many channels');
    if (core.deciding >= config.maxPendingAccepts) return decline('too many requests waiting');
    const ch = new MuxChannel(id, name, false, config.windowBytes, 'deciding');
    ch.peerWindow = window;
    ch.credit = window;
    core.channels.set(id, ch);
    core.deciding++;
    let verdict: ChannelVerdict | Promise<ChannelVerdict>;
    try {
      verdict = core.host.decide({ friendKey: core.friendKey, uri: name, channelId: id });
    } catch {
      return this.#decided(ch, false, 'the request handler failed');
    }
    const thenable = typeof verdict === 'object' && verdict !== null && typeof (verdict as Partial<PromiseLike<unknown>>).then === 'function';
    if (!thenable) return this.#answered(ch, verdict);
    // Only a handler that answers later needs a timer (most answer at once).
    if (ch.phase !== 'deciding') return;
    const timer = core.host.clock.setTimer(config.acceptTimeoutMs, () => {
      this.#decided(ch, false, 'no decision in time');
      core.out.flush();
    });
    ch.cleanup = () => timer.cancel();
    Promise.resolve(verdict).then(
      (answer) => {
        this.#answered(ch, answer);
        core.out.flush();
      },
      () => {
        this.#decided(ch, false, 'the request handler failed');
        core.out.flush();
      },
    );
  }

  /** A handler's verdict: true accepts; a refusal's reason, or `refused`, goes with a DECLINE. */
  #answered(ch: MuxChannel, verdict: unknown): void {
    if (verdict === true) return this.#decided(ch, true, '');
    const reason = typeof verdict === 'object' && verdict !== null ? (verdict as Partial<ChannelRefusal>).reason : undefined;
    this.#decided(ch, false, typeof reason === 'string' && reason.length > 0 ? clipUtf8(reason, this.#core.config.maxReasonBytes) : 'refused');
  }

  /** The user's answer to a friend's request (once; later answers do nothing). */
  #decided(ch: MuxChannel, yes: boolean, reason: string): void {
    const core = this.#core;
    if (ch.phase !== 'deciding' || core.closed) return;
    core.deciding--;
    ch.cleanup?.();
    ch.cleanup = undefined;
    if (!yes) {
      core.forget(ch);
      core.control({ type: 'channel', channel: ch.id, state: ChannelState.DECLINE, reason });
      return;
    }
    ch.phase = 'open';
    core.control({ type: 'channel', channel: ch.id, state: ChannelState.ACCEPT, window: ch.window });
    const socket = this.#data.socketFor(ch);
    core.host.opened(socket);
  }

  #onAccept(m: ChannelMessage): void {
    const core = this.#core;
    const ch = core.channels.get(m.channel);
    if (ch === undefined || !ch.local) return core.drop('unexpected-answer');
    if (ch.phase === 'withdrawn') return core.forget(ch);
    if (ch.phase !== 'requesting') return core.drop('unexpected-answer');
    core.settleOpen(ch);
    ch.phase = 'open';
    ch.peerWindow = m.window ?? 0;
    ch.credit = ch.peerWindow;
    const socket = this.#data.socketFor(ch);
    const opened = ch.opened;
    ch.opened = undefined;
    opened?.resolve(socket);
  }

  #onDecline(m: ChannelMessage): void {
    const core = this.#core;
    const known = m.state === ChannelState.DECLINE;
    const ch = core.channels.get(m.channel);
    if (ch === undefined || !ch.local || (ch.phase !== 'requesting' && ch.phase !== 'withdrawn')) {
      return core.drop(known ? 'unexpected-answer' : 'unknown-state');
    }
    const reason = m.reason ?? (known ? 'declined' : `answered with state ${m.state}`);
    if (ch.phase === 'requesting') {
      core.settleOpen(ch);
      const opened = ch.opened;
      ch.opened = undefined;
      opened?.reject(new MuxError('declined', `the friend declined the channel "${ch.uri}": ${reason}`, reason));
    }
    core.forget(ch);
  }

  #onReset(m: ChannelMessage): void {
    const core = this.#core;
    const ch = core.channels.get(m.channel);
    if (ch === undefined) return core.drop('unknown-channel');
    const reason = m.reason ?? 'reset';
    switch (ch.phase) {
      case 'requesting':
      case 'withdrawn':
        return core.drop('stale-frame');
      case 'deciding':
        // The friend withdrew its request: every REQUEST gets exactly one answer.
        core.deciding--;
        core.forget(ch);
        core.control({ type: 'channel', channel: ch.id, state: ChannelState.DECLINE, reason: 'withdrawn' });
        return;
      case 'open':
        ch.sendEnded = true;
        ch.receiveEnded = true;
        core.forget(ch);
        core.failSend(ch, new MuxError('reset', `the friend reset the channel "${ch.uri}": ${reason}`, reason));
        ch.queue.clear();
        ch.socket?.abort({ code: 'reset', message: `reset by the friend: ${reason}` },
          new MuxError('reset', `the friend reset the channel "${ch.uri}": ${reason}`, reason));
        return;
      case 'done':
        return;
    }
  }

  #onCredit(id: number, credit: number, window: number | undefined): void {
    const core = this.#core;
    const ch = core.channels.get(id);
    if (ch === undefined) return core.drop('unknown-channel');
    if (ch.phase !== 'open') return core.drop('stale-frame');
    if (ch.sendEnded) return;
    if (window !== undefined && window > ch.peerWindow) ch.peerWindow = window;
    let total = ch.credit + credit;
    if (total > ch.peerWindow) {
      core.drop('credit-overflow');
      total = ch.peerWindow;
    }
    ch.credit = total;
    core.out.ready(ch);
  }
}
