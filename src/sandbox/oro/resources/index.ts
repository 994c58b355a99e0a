// The explicit list of resource types the simulator serves (warehouses only in enterprise mode).
import { Registry } from '../registry.js';
import type { AnyResourceDef } from '../resource.js';
import { customerUserAddressesResource, orderAddressesResource } from './addresses.js';
import { asyncOperationsResource } from './async-operations.js';
import { customerGroupsResource, customersResource, customerUserRolesResource, customerUsersResource, paymentTermsResource } from './customers.js';
import { inventoryLevelsResource, warehousesResource } from './inventory.js';
import { orderLinesResource, ordersResource, orderSubtotalsResource } from './orders.js';
import { priceListLinksResource, priceListsResource, productPricesResource } from './pricing.js';
import { fallbackValuesResource, localizedResource, productsResource } from './products.js';
import { referenceResources } from './reference.js';
import { precisionsResource, unitsResource } from './units.js';
import { webhooksResource, webhookTopicsResource } from './webhooks.js';

export function buildRegistry(enterprise: boolean): Registry {
  const defs: AnyResourceDef[] = [
    productsResource(),
    localizedResource('productnames'),
    localizedResource('productdescriptions'),
    localizedResource('productshortdescriptions'),
    localizedResource('localizedfallbackvalues'),
    fallbackValuesResource(),
    unitsResource(),
    precisionsResource(),
    inventoryLevelsResource(enterprise),
    priceListsResource(),
    productPricesResource(),
    priceListLinksResource('customer'),
    priceListLinksResource('customerGroup'),
    customersResource(),
    customerGroupsResource(),
    customerUsersResource(),
    customerUserRolesResource(),
    customerUserAddressesResource(),
    paymentTermsResource(),
    ordersResource(),
    orderLinesResource(),
    orderAddressesResource(),
    orderSubtotalsResource(),
    asyncOperationsResource(),
    webhooksResource(),
    webhookTopicsResource(),
    ...referenceResources(),
    ...(enterprise ? [warehousesResource()] : []),
  ];
  return new Registry(defs);
}
