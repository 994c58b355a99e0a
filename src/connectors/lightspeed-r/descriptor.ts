// Lightspeed Retail R-Series API V3 (see ../shared/specs/lightspeed-r-series.md): what it offers storelink.
import type { ConnectorDescriptor, EntityDescriptor } from '../types.js';
import { LightspeedRConnector } from './connector.js';

function entity(name: string, key: string, rest: Omit<EntityDescriptor, 'name' | 'key'>): EntityDescriptor {
  return { name, key, ...rest };
}

export const lightspeedRDescriptor: ConnectorDescriptor = {
  id: 'lightspeed-r',
  title: 'Lightspeed Retail (R-Series)',
  capabilities: {
    webhooks: false,
    changeDetection: 'timestamp',
    rateLimit: {
      model: 'leaky-bucket',
      note: 'About one request per second per account (bucket 90, drip 1/s plus extra registers); storelink throttles ahead from the bucket headers.',
    },
    batchWrites: false,
  },
  configSchema: '#/$defs/lightspeedRSystem',
  entities: {
    Item: entity('Item', 'itemID', { naturalKey: ['customSku'], cursor: 'timeStamp', writes: ['create', 'update', 'delete'], note: 'Deleting archives the item and zeroes its stock.' }),
    ItemMatrix: entity('ItemMatrix', 'itemMatrixID', { naturalKey: ['description'], cursor: 'timeStamp', writes: ['create', 'update', 'delete'] }),
    ItemAttributeSet: entity('ItemAttributeSet', 'itemAttributeSetID', { naturalKey: ['name'], writes: [] }),
    ItemShop: entity('ItemShop', 'itemShopID', {
      naturalKey: ['itemID', 'shopID'], cursor: 'timeStamp', writes: ['update'],
      note: 'Stock per shop. Changes do not move the item\'s own timestamp, so stock is polled here.',
    }),
    Shop: entity('Shop', 'shopID', { naturalKey: ['name'], writes: [] }),
    Register: entity('Register', 'registerID', { naturalKey: ['name'], writes: [] }),
    Employee: entity('Employee', 'employeeID', { naturalKey: ['firstName', 'lastName'], writes: [] }),
    PriceLevel: entity('PriceLevel', 'priceLevelID', { naturalKey: ['name'], writes: ['update'], note: 'Price levels cannot be created through the API.' }),
    CustomerType: entity('CustomerType', 'customerTypeID', { naturalKey: ['name'], writes: ['create', 'update', 'delete'] }),
    Discount: entity('Discount', 'discountID', { naturalKey: ['name'], cursor: 'timeStamp', writes: ['create', 'update', 'delete'] }),
    Customer: entity('Customer', 'customerID', { naturalKey: ['company', 'lastName'], cursor: 'timeStamp', writes: ['create', 'update', 'delete'] }),
    Sale: entity('Sale', 'saleID', { naturalKey: ['ticketNumber'], cursor: 'timeStamp', writes: ['create', 'update'], note: 'Refunds are new sales with negative quantities.' }),
    SaleLine: entity('SaleLine', 'saleLineID', { naturalKey: ['saleID', 'saleLineID'], cursor: 'timeStamp', writes: [] }),
  },
  create: (context) => new LightspeedRConnector(context),
};
