/**
 * The little of protomux and multiplex that bench/mux-impls.ts uses: neither ships types.
 */
declare module 'protomux' {
  import type { EventEmitter } from 'node:events';

  interface Encoding<T> {
    preencode(state: { start: number; end: number }, value: T): void;
    encode(state: { buffer: Uint8Array; start: number; end: number }, value: T): void;
    decode(state: { buffer: Uint8Array; start: number; end: number }): T;
  }

  interface Message<T> {
    send(value: T): boolean;
  }

  interface ChannelOptions {
    protocol: string;
    id?: Uint8Array | null;
    unique?: boolean;
    messages?: Array<{ encoding: Encoding<Uint8Array>; onmessage?: (message: Uint8Array) => void }>;
    onopen?: () => void;
    onclose?: () => void;
    ondrain?: () => void;
  }

  interface Channel {
    readonly messages: Array<Message<Uint8Array>>;
    readonly opened: boolean;
    open(): void;
    close(): void;
  }

  class Protomux {
    constructor(stream: EventEmitter & { write(buffer: Uint8Array): boolean });
    createChannel(options: ChannelOptions): Channel | null;
    pair(key: { protocol: string; id?: Uint8Array | null }, notify: (id: Uint8Array | null) => void): void;
    destroy(error?: Error): void;
  }

  export default Protomux;
}

declare module 'multiplex' {
  import type { Duplex } from 'node:stream';

  interface Multiplex extends Duplex {
    createStream(name?: string): Duplex;
  }

  function multiplex(onStream?: (stream: Duplex, name: string) => void): Multiplex;

  export default multiplex;
}
