// The resource types the simulated back-office API serves, by JSON:API type name: an explicit
// list, so a reader finds every type in one place.
import type { AnyResourceDef, ResourceDef } from './resource.js';
import type { Row } from './store.js';

export class Registry {
  readonly #defs = new Map<string, ResourceDef>();

  constructor(defs: readonly AnyResourceDef[]) {
    for (const def of defs) this.#defs.set(def.type, def);
  }

  get(type: string): ResourceDef | undefined {
    return this.#defs.get(type);
  }

  has(type: string): boolean {
    return this.#defs.has(type);
  }

  types(): string[] {
    return [...this.#defs.keys()];
  }

  /** A type that the simulator itself must know; a missing one is a simulator bug. */
  require<R extends Row = Row>(type: string): ResourceDef<R> {
    const def = this.#defs.get(type);
    if (!def) throw new Error(`unknown resource type ${type}`);
    return def as AnyResourceDef as ResourceDef<R>;
  }
}
