/**
 * The typed emitter this layer reports through: io's `Emitter`, under the name the
 * layer's files import. A listener's exception goes to the hook its owner gives.
 * @see spec/mux.md#connectionmanager
 * @module
 */
export { Emitter, type Listener } from '../io/index.ts';
