// The explicit list of connectors. Adding a system means adding one line here; nothing is discovered.
import { lightspeedRDescriptor } from './lightspeed-r/descriptor.js';
import { lightspeedXDescriptor } from './lightspeed-x/descriptor.js';
import { oroDescriptor } from './oro/descriptor.js';
import type { ConnectorDescriptor } from './types.js';

export const connectors: Readonly<Record<string, ConnectorDescriptor>> = Object.freeze({
  [oroDescriptor.id]: oroDescriptor,
  [lightspeedRDescriptor.id]: lightspeedRDescriptor,
  [lightspeedXDescriptor.id]: lightspeedXDescriptor,
});

export function connectorById(id: string): ConnectorDescriptor | undefined {
  return Object.hasOwn(connectors, id) ? connectors[id] : undefined;
}
