/**
 * Port forwarding over the channel layer (the Thali use case, also tuntox's): one side
 * exposes named TCP services from an allow-list, the other listens on a local port, and
 * every TCP connection to that port becomes one `tcp://NAME` channel to the friend's
 * service. A friend's service looks like a local TCP port.
 *
 * ```ts
 * import { Exposer, PortForward } from './src/forward/index.ts';
 * // Bob: friends may reach his web server as "web".
 * const exposer = new Exposer({ manager: bobManager, services: [{ name: 'web', target: '127.0.0.1:8080' }] });
 * // Alice: 127.0.0.1:8000 leads to Bob's "web".
 * const forward = new PortForward({ manager: aliceManager, friendKey: bobKey, service: 'web', port: 8000 });
 * await forward.listen();
 * forward.on('tunnel-closed', ({ tunnel, reason }) => console.log(tunnel.bytesFromFriend, reason.code));
 * // … later
 * await forward.close();
 * await exposer.close();
 * ```
 *
 * @see spec/mux.md#port-forwarding
 * @packageDocumentation
 */
export { PortForward, type PortForwardOptions, type PortForwardEvents, type ListenAddress } from './port-forward.ts';
export { Exposer, type ExposerOptions, type ExposerEvents, type RefusedRequest } from './exposer.ts';
export { ServiceTable, type ServiceSpec, type ServiceEntry } from './service-table.ts';
export {
  Tunnel, type TunnelInfo, type TunnelStats, type TunnelState, type TunnelCloseCode, type TunnelCloseReason, type TunnelClosed,
  type TunnelHooks, type OpenFailure,
} from './tunnel.ts';
export { type ForwardConfig, defaultForwardConfig, forwardConfig } from './config.ts';
export { ForwardError, type ForwardErrorCode, isForwardError } from './errors.ts';
export { type RefusalCode, type ResetCode, type ParsedReason, formatReason, parseReason, errorCode } from './reasons.ts';
export {
  FORWARD_SCHEME, MAX_SERVICE_NAME, type ServiceTarget, isServiceName, checkServiceName, serviceUri, parseServiceUri, parseTarget,
  checkTarget, formatTarget,
} from './uri.ts';
