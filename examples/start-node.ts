/**
 * What the examples share: a Tox node with a Messenger, started from one bootstrap node
 * given as `HOST:PORT:KEY` (a local `toxlink node` prints its own; the public nodes list at
 * https://nodes.tox.chat has others).
 */
import { crypto, io, messenger, wire } from 'toxlink';

/** A DHT node to join through. */
export interface Bootstrap {
  readonly address: io.Address;
  readonly publicKey: Uint8Array;
}

/** A running node and its Messenger. */
export interface ExampleNode {
  readonly node: messenger.ToxNode;
  readonly messenger: messenger.Messenger;
  readonly clock: io.Clock;
  close(): Promise<void>;
}

/** Parses `HOST:PORT:KEY` (64 hex digits). */
export function parseBootstrap(text: string | undefined): Bootstrap {
  const m = /^([^:\s]+):(\d{1,5}):([0-9a-fA-F]{64})$/.exec(text ?? '');
  if (m === null) throw new Error(`expected HOST:PORT:KEY, e.g. 127.0.0.1:33445:<64 hex digits>, got ${JSON.stringify(text)}`);
  return { address: { host: m[1]!, port: Number(m[2]) }, publicKey: wire.fromHex(m[3]!) };
}

/** A node with a fresh identity on `network` (this machine's by default), bootstrapped. */
export async function startNode(bootstrap: Bootstrap, network: io.Network = new io.NodeNetwork(), clock: io.Clock = new io.SystemClock()): Promise<ExampleNode> {
  const realKeyPair = crypto.generateKeyPair();
  const node = await messenger.ToxNode.start({ network, clock, realKeyPair });
  node.bootstrap(bootstrap.address, bootstrap.publicKey);
  const m = new messenger.Messenger({ clock, friends: node.friends, identity: { realKeyPair, nospam: crypto.randomUniform(2 ** 32) } });
  return {
    node, messenger: m, clock,
    close: async () => {
      m.close();
      await node.close();
    },
  };
}

/** Whether this module is the program being run (`node --import=tsx examples/x.ts`). */
export function isMain(meta: ImportMeta): boolean {
  return process.argv[1] !== undefined && meta.filename === process.argv[1];
}
