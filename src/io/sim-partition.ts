/**
 * Network partitions: two groups of hosts that cannot reach each other until healed.
 * Datagrams between them are dropped on arrival; TCP segments wait and retry.
 *
 * @see spec/io.md#partitions
 * @module
 */

import type { SimHostView } from './sim-fabric.ts';

/** One partition; `heal()` removes it. Made by `SimNetwork.partition`. */
export class SimPartition {
  private readonly a: ReadonlySet<SimHostView>;
  private readonly b: ReadonlySet<SimHostView> | undefined;

  /** @internal */
  constructor(
    groupA: Iterable<SimHostView>,
    groupB: Iterable<SimHostView> | undefined,
    private readonly onHeal: (partition: SimPartition) => void,
  ) {
    this.a = new Set(groupA);
    this.b = groupB === undefined ? undefined : new Set(groupB);
  }

  /** @internal True when this partition puts `x` and `y` on opposite sides. */
  separates(x: SimHostView, y: SimHostView): boolean {
    return (this.a.has(x) && this.inB(y)) || (this.a.has(y) && this.inB(x));
  }

  /** Lets traffic through again; idempotent. */
  heal(): void {
    this.onHeal(this);
  }

  /** Group B is the given set, or every host not in group A. */
  private inB(host: SimHostView): boolean {
    return this.b === undefined ? !this.a.has(host) : this.b.has(host);
  }
}
