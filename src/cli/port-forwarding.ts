/**
 * What `toxlink expose` and `toxlink forward` take from the channel layer's port forwarding
 * (src/mux: Exposer, PortForward and their names and errors), gathered in one place.
 *
 * @see spec/cli.md#toxlink-expose-and-toxlink-forward
 * @module
 */
export {
  type ConnectionHold, Exposer, ForwardError, PortForward, type ServiceSpec, type TunnelClosed, type TunnelStats, checkServiceName,
  formatTarget, parseTarget,
} from '../mux/index.ts';
