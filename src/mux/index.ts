/**
 * The channel layer: many named byte-stream channels to a friend over one friend
 * connection, each a Node Duplex with its own credit-based flow control, opened the way
 * Jami's ConnectionManager opens them.
 *
 * ```ts
 * import { mux } from 'toxlink';
 * const manager = new mux.ConnectionManager({ selfKey, connector, clock });
 * manager.onChannelRequest(({ uri }) => uri.startsWith('file://'));
 * manager.on('channel', (socket) => socket.pipe(fs.createWriteStream(name(socket.uri))));
 * // On the other side:
 * const socket = await manager.connectDevice(bobKey, 'file://a');
 * fs.createReadStream('a').pipe(socket);
 * ```
 *
 * The friend layer gives the manager its {@link MuxConnector}; until then
 * {@link cryptoCarrier} turns a net_crypto session into a {@link MuxCarrier}.
 *
 * @see spec/mux.md
 * @packageDocumentation
 */
export {
  ConnectionManager, type ConnectionManagerOptions, type ConnectionManagerEvents, type ConnectDeviceOptions,
  type ConnectDeviceCallback, type ChannelRequestHandler, type ConnectionRequestHandler, type ConnectionClosed,
} from './connection-manager.ts';
export {
  ChannelSocket, type ChannelSocketInfo, type ChannelCloseReason, type ChannelCloseCode,
} from './channel-socket.ts';
export { MuxSession } from './session.ts';
export type { ChannelRequestInfo, ChannelEntry, ChannelRefusal, ChannelVerdict, OpenScope } from './session-host.ts';
export type { ChannelPhase } from './channel.ts';
export { type MuxCarrier, type MuxCarrierEvents, type MuxConnector, type ConnectRequestOptions, cryptoCarrier } from './carrier.ts';
export { type MuxConfig, defaultMuxConfig, muxConfig } from './config.ts';
export { MuxError, type MuxErrorCode, isMuxError } from './errors.ts';
export { MuxStats, type MuxDropReason } from './stats.ts';
export { Emitter, type Listener } from './events.ts';
export {
  MUX_PACKET_ID, MAX_MUX_PACKET_SIZE, FRAME_HEADER_SIZE, MAX_FRAME_BODY, CONTROL_CHANNEL, RESERVED_CHANNEL,
  type Frame, decodeMuxPacket, encodeMuxPacket, isMuxPacket, PacketBuilder,
} from './frame.ts';
export {
  MUX_VERSION, ControlType, ChannelState, type ControlMessage, type VersionMessage, type ChannelMessage,
  type CreditMessage, type GoawayMessage, type UnknownMessage, encodeControl, decodeControl,
} from './control.ts';
export { type IdParity, idParity, isIdOf, IdAllocator } from './channel-ids.ts';
export { friendConnector, type FriendConnector, type FriendConnectorOptions } from './friend-connector.ts';
export { PortForward, type PortForwardOptions, type PortForwardEvents, type ListenAddress } from './port-forward.ts';
export { Exposer, type ExposerOptions, type ExposerEvents, type RefusedRequest } from './exposer.ts';
export { ServiceTable, type ServiceSpec, type ServiceEntry } from './service-table.ts';
export {
  Tunnel, type TunnelInfo, type TunnelStats, type TunnelState, type TunnelCloseCode, type TunnelCloseReason, type TunnelClosed,
  type TunnelHooks, type OpenFailure,
} from './tunnel.ts';
export { type ForwardConfig, defaultForwardConfig, forwardConfig } from './forward-config.ts';
export { type ConnectionHold, type IdleHooks, IdleHold } from './idle-hold.ts';
export { ForwardError, type ForwardErrorCode, isForwardError } from './forward-errors.ts';
export { type RefusalCode, type ResetCode, type ParsedReason, formatReason, parseReason, errorCode } from './forward-reasons.ts';
export {
  FORWARD_SCHEME, MAX_SERVICE_NAME, type ServiceTarget, isServiceName, checkServiceName, serviceUri, parseServiceUri, parseTarget,
  checkTarget, formatTarget,
} from './forward-uri.ts';
