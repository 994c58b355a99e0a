// What every connector declares about itself. Capabilities are data, so the config checker, the
// planner and the generated manual can reason about a connector without calling it.

export interface EntityDescriptor {
  /** The entity as the vendor spells it (`inventorylevels`, `Item`). */
  readonly name: string;
  /** Field of the canonical record that holds the vendor's id. */
  readonly key: string;
  /** Fields that identify a record in business terms (e.g. `sku`), in the order people use them. */
  readonly naturalKey: readonly string[];
  /** Timestamp field usable for incremental reads; absent where the vendor has none (full scans). */
  readonly cursor?: string;
  /** Writes the connector can make. */
  readonly writes: readonly ('create' | 'update' | 'delete')[];
  /** Webhook topics the vendor sends for this entity, when it sends any. */
  readonly webhookTopics?: readonly string[];
  /** Plain-language note for the manual (quirks that matter to people). */
  readonly note?: string;
}

export interface ConnectorCapabilities {
  readonly webhooks: boolean;
  /** How change is detected: timestamps per entity, a version cursor, or not at all. */
  readonly changeDetection: 'timestamp' | 'version' | 'none';
  readonly rateLimit: { readonly model: 'leaky-bucket' | 'fixed-window' | 'none'; readonly note: string };
  readonly batchWrites: boolean;
}

import type { Connector, ConnectorContext } from './connector.js';

export interface ConnectorDescriptor {
  readonly id: string;
  readonly title: string;
  readonly capabilities: ConnectorCapabilities;
  /** JSON pointer into schemas/client.schema.json for the system's connection settings. */
  readonly configSchema: string;
  readonly entities: Readonly<Record<string, EntityDescriptor>>;
  /** A running connector for one configured system. */
  create(context: ConnectorContext): Connector;
}
