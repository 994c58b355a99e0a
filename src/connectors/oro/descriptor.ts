// OroCommerce back-office JSON:API (see ../shared/specs/oro-api.md): what it offers storelink.
import type { ConnectorDescriptor, EntityDescriptor } from '../types.js';
import { OroConnector } from './connector.js';

function entity(name: string, rest: Omit<EntityDescriptor, 'name' | 'key'> & { key?: string }): EntityDescriptor {
  return { name, key: 'id', ...rest };
}

export const oroDescriptor: ConnectorDescriptor = {
  id: 'oro',
  title: 'OroCommerce',
  capabilities: {
    webhooks: true,
    changeDetection: 'timestamp',
    rateLimit: { model: 'none', note: 'No application rate limit; the hosting WAF may answer 429 or 503, which are retried with backoff.' },
    batchWrites: true,
  },
  configSchema: '#/$defs/oroSystem',
  entities: {
    products: entity('products', { naturalKey: ['sku'], cursor: 'updatedAt', writes: ['create', 'update'], webhookTopics: ['product.created', 'product.updated', 'product.deleted'] }),
    productunits: entity('productunits', { naturalKey: ['id'], writes: ['create', 'update'] }),
    productunitprecisions: entity('productunitprecisions', { naturalKey: ['sku', 'unit'], writes: ['create', 'update', 'delete'] }),
    inventorylevels: entity('inventorylevels', {
      naturalKey: ['sku', 'unit', 'warehouseId'], writes: ['update'],
      note: 'Levels have no timestamps and exist per product unit (and warehouse); they are read in full and only updated.',
    }),
    pricelists: entity('pricelists', { naturalKey: ['name'], writes: ['create', 'update'] }),
    productprices: entity('productprices', {
      naturalKey: ['priceListId', 'sku', 'unit', 'quantity', 'currency'], writes: ['create', 'update', 'delete'],
      note: 'Prices have no timestamps; they are read in full, per price list.',
    }),
    pricelisttocustomers: entity('pricelisttocustomers', { naturalKey: ['customerId', 'priceListId'], writes: ['create', 'update', 'delete'] }),
    pricelisttocustomergroups: entity('pricelisttocustomergroups', { naturalKey: ['customerGroupId', 'priceListId'], writes: ['create', 'update', 'delete'] }),
    customers: entity('customers', { naturalKey: ['name'], cursor: 'updatedAt', writes: ['create', 'update'] }),
    customergroups: entity('customergroups', { naturalKey: ['name'], writes: ['create', 'update'] }),
    customerusers: entity('customerusers', { naturalKey: ['email'], writes: ['create', 'update'] }),
    orders: entity('orders', { naturalKey: ['identifier'], cursor: 'updatedAt', writes: ['create', 'update'], webhookTopics: ['order.created', 'order.updated', 'order.deleted'] }),
    orderlineitems: entity('orderlineitems', { naturalKey: ['orderId', 'sku', 'unit'], cursor: 'updatedAt', writes: ['create', 'update'] }),
    warehouses: entity('warehouses', { naturalKey: ['name'], writes: ['create', 'update'], note: 'Enterprise edition only.' }),
  },
  create: (context) => new OroConnector(context),
};
