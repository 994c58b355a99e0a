// What a simulated vendor system offers the sandbox besides its HTTP API: seeding, the true state
// for the admin API, and control operations that are not part of the vendor API (a storefront
// checkout, a sale rung up at a register).
import type { Catalogue } from './catalogue.js';
import type { SimSystem } from './http.js';

/** A control operation was given bad input; the admin API answers 400 with the message. */
export class ActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionError';
  }
}

export interface SandboxSystem extends SimSystem {
  /** Loads a catalogue into the (empty) system. */
  seed(catalogue: Catalogue): void;
  /** Names of the resources `inspect` can show, e.g. `products`, `Item`. */
  resources(): readonly string[];
  /** The true state of one resource as plain JSON records, or undefined for an unknown name. */
  inspect(resource: string): readonly unknown[] | undefined;
  /** Names of the control operations `action` performs. */
  readonly actions: readonly string[];
  /** Performs a control operation; throws ActionError on bad input. Returns what it created or changed. */
  action(name: string, input: unknown): Promise<unknown>;
}
