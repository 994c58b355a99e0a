// Lightspeed Retail X-Series API 2.0 (ex-Vend; see ../shared/specs/lightspeed-x-series.md): what it
// offers storelink. Canonical records are the vendor's 2.0 JSON objects unchanged.
import type { ConnectorDescriptor, EntityDescriptor } from '../types.js';
import { LightspeedXConnector } from './connector.js';

function entity(name: string, rest: Omit<EntityDescriptor, 'name' | 'key'>): EntityDescriptor {
  return { name, key: 'id', ...rest };
}

export const lightspeedXDescriptor: ConnectorDescriptor = {
  id: 'lightspeed-x',
  title: 'Lightspeed Retail (X-Series)',
  capabilities: {
    webhooks: true,
    changeDetection: 'version',
    rateLimit: {
      model: 'fixed-window',
      note: '300 × registers + 50 requests per fixed 5-minute window per store and app; storelink spreads requests from the X-RateLimit headers and waits for the next window rather than meeting a 429.',
    },
    batchWrites: true,
  },
  configSchema: '#/$defs/lightspeedXSystem',
  entities: {
    products: entity('products', {
      naturalKey: ['sku'], cursor: 'version', writes: ['create', 'update', 'delete'], webhookTopics: ['product.update'],
      note: 'Variants are products with `variant_parent_id`; a new record with `variant_options` and the `handle` of an existing family becomes a variant of it. Deleting soft-deletes (`deleted_at`).',
    }),
    inventory: entity('inventory', {
      naturalKey: ['product_id', 'outlet_id'], cursor: 'version', writes: [], webhookTopics: ['inventory.update'],
      note: 'One row per product and outlet; `inventory_level` may be negative. Read only: stock flows from the stores to the webshop.',
    }),
    outlets: entity('outlets', { naturalKey: ['name'], cursor: 'version', writes: [] }),
    registers: entity('registers', { naturalKey: ['name'], cursor: 'version', writes: [] }),
    taxes: entity('taxes', { naturalKey: ['name'], writes: [] }),
    users: entity('users', { naturalKey: ['username'], writes: [] }),
    payment_types: entity('payment_types', { naturalKey: ['name'], writes: [] }),
    customers: entity('customers', { naturalKey: ['customer_code'], cursor: 'version', writes: ['create', 'update', 'delete'], webhookTopics: ['customer.update'] }),
    customer_groups: entity('customer_groups', { naturalKey: ['name'], cursor: 'version', writes: ['create'] }),
    price_books: entity('price_books', {
      naturalKey: ['name'], cursor: 'version', writes: ['create'],
      note: 'Deprecated by Lightspeed in favour of promotions, still served.',
    }),
    price_book_products: entity('price_book_products', {
      naturalKey: ['price_book_id', 'product_id', 'min_units'], cursor: 'version', writes: ['create', 'update', 'delete'],
      note: 'Written in batches of up to 100 rows per price book. `price` reads back tax-exclusive.',
    }),
    sales: entity('sales', {
      naturalKey: ['invoice_number'], cursor: 'version', writes: ['create', 'update'], webhookTopics: ['sale.update'],
      note: 'Written through the 0.9 register_sales API; an update re-sends every line, since lines left out are deleted. Returns are new sales whose `return_for` names the original.',
    }),
  },
  create: (context) => new LightspeedXConnector(context),
};
