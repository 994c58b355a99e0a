// Every entity the simulator serves: fields in the order the API prints them (legacy order first,
// V3-only fields marked `v3`), sortable fields, and relations with their wrappers and empty forms.
// Field lists follow the spec (§3, §9, §10) and, where the spec is silent, the cassettes.
import { defineEntity, many, one, type EntityDef } from './model.js';

const CONTACT_PARTS = [
  many('Addresses', 'ContactAddress', 'ContactAddress', { empty: 'empty-string', always: true }),
  many('Phones', 'ContactPhone', 'ContactPhone', { empty: 'empty-string', always: true }),
  many('Emails', 'ContactEmail', 'ContactEmail', { empty: 'empty-string', always: true }),
  many('Websites', 'ContactWebsite', 'ContactWebsite', { empty: 'empty-string', always: true }),
];

export const Contact = defineEntity({
  name: 'Contact', idField: 'contactID',
  fields: [['contactID', 'id'], ['custom', 'string'], ['noEmail', 'bool'], ['noPhone', 'bool'], ['noMail', 'bool'], ['timeStamp', 'datetime']],
  relations: CONTACT_PARTS,
});
export const ContactAddress = defineEntity({
  name: 'ContactAddress', idField: 'address1',
  fields: [['address1', 'string'], ['address2', 'string'], ['city', 'string'], ['state', 'string'], ['zip', 'string'], ['country', 'string'], ['countryCode', 'string'], ['stateCode', 'string']],
});
export const ContactPhone = defineEntity({ name: 'ContactPhone', idField: 'number', fields: [['number', 'string'], ['useType', 'string']] });
export const ContactEmail = defineEntity({ name: 'ContactEmail', idField: 'address', fields: [['address', 'string'], ['useType', 'string']] });
export const ContactWebsite = defineEntity({ name: 'ContactWebsite', idField: 'url', fields: [['url', 'string']] });

export const TaxClass = defineEntity({
  name: 'TaxClass', idField: 'taxClassID',
  fields: [['taxClassID', 'id'], ['name', 'string'], ['classType', 'string', 'v3'], ['timeStamp', 'datetime']],
});
export const TaxCategory = defineEntity({
  name: 'TaxCategory', idField: 'taxCategoryID',
  fields: [['taxCategoryID', 'id'], ['isTaxInclusive', 'bool'], ['tax1Name', 'string'], ['tax2Name', 'string'], ['tax1Rate', 'float'], ['tax2Rate', 'float'], ['timeStamp', 'datetime']],
  relations: [many('TaxCategoryClasses', 'TaxCategoryClass')],
});
export const PaymentType = defineEntity({
  name: 'PaymentType', idField: 'paymentTypeID',
  fields: [['paymentTypeID', 'id'], ['name', 'string'], ['requireCustomer', 'bool'], ['archived', 'bool'], ['internalReserved', 'bool'], ['type', 'string'], ['refundAsPaymentTypeID', 'id']],
});

export const PriceLevel = defineEntity({
  name: 'PriceLevel', idField: 'priceLevelID',
  // `Calculation` is a relation on the real API, always `""` for fixed levels (§9); a string field here.
  fields: [['priceLevelID', 'id'], ['name', 'string'], ['archived', 'bool'], ['canBeArchived', 'bool'], ['type', 'string'], ['Calculation', 'string']],
  sortable: ['priceLevelID'],
});

export const ItemAttributeSet = defineEntity({
  name: 'ItemAttributeSet', idField: 'itemAttributeSetID',
  fields: [['itemAttributeSetID', 'id'], ['name', 'string'], ['attributeName1', 'string'], ['attributeName2', 'string'], ['attributeName3', 'string']],
  sortable: ['itemAttributeSetID'],
});
export const ItemAttributes = defineEntity({
  name: 'ItemAttributes', idField: 'itemAttributeSetID',
  fields: [['attribute1', 'string'], ['attribute2', 'string'], ['attribute3', 'string'], ['itemAttributeSetID', 'id']],
  relations: [one('ItemAttributeSet', 'ItemAttributeSet', { always: true })],
});
export const ItemPrice = defineEntity({
  name: 'ItemPrice', idField: 'useTypeID',
  fields: [['amount', 'float'], ['useTypeID', 'id'], ['useType', 'string']],
});

export const Category = defineEntity({
  name: 'Category', idField: 'categoryID',
  fields: [['categoryID', 'id'], ['name', 'string'], ['nodeDepth', 'int'], ['fullPathName', 'string'], ['leftNode', 'int'], ['rightNode', 'int'],
    ['createTime', 'datetime'], ['timeStamp', 'datetime'], ['parentID', 'id']],
  sortable: ['categoryID', 'timeStamp', 'name'],
  relations: [one('Parent', 'Category')],
});

export const ItemShop = defineEntity({
  name: 'ItemShop', idField: 'itemShopID',
  fields: [['itemShopID', 'id'], ['qoh', 'int'], ['sellable', 'int', 'v3'], ['backorder', 'int'], ['componentQoh', 'int'], ['componentBackorder', 'int'],
    ['onLayaway', 'int', 'v3'], ['onSpecialOrder', 'int', 'v3'], ['onWorkOrder', 'int', 'v3'], ['onTransferOut', 'int', 'v3'], ['onTransferIn', 'int', 'v3'],
    ['averageCost', 'float', 'v3'], ['nextFifoLotID', 'id', 'v3'], ['nextFifoLotCost', 'float', 'v3'], ['lastReceivedLotID', 'id', 'v3'],
    ['lastReceivedCost', 'float', 'v3'], ['totalValueFifo', 'float', 'v3'], ['totalValueAvgCost', 'float', 'v3'], ['totalValueNegativeInventory', 'float', 'v3'],
    ['reorderPoint', 'int'], ['reorderLevel', 'int'], ['timeStamp', 'datetime'], ['itemID', 'id'], ['shopID', 'id']],
  sortable: ['itemShopID', 'timeStamp'],
  // `m` holds the deprecated layaway/special-order/workorder counts some recordings carry.
  relations: [one('Item', 'Item'), one('Shop', 'Shop'), one('m', undefined, { always: true, notInAll: true })],
});

export const Item = defineEntity({
  name: 'Item', idField: 'itemID',
  fields: [['itemID', 'id'], ['systemSku', 'string'], ['defaultCost', 'float'], ['avgCost', 'float'], ['discountable', 'bool'], ['tax', 'bool'],
    ['archived', 'bool'], ['itemType', 'string'], ['serialized', 'bool', 'v3'], ['description', 'string'], ['modelYear', 'int'], ['upc', 'string'],
    ['ean', 'string'], ['customSku', 'string'], ['manufacturerSku', 'string'], ['createTime', 'datetime'], ['timeStamp', 'datetime'],
    ['publishToEcom', 'bool', 'v3'], ['categoryID', 'id'], ['taxClassID', 'id'], ['departmentID', 'id'], ['itemMatrixID', 'id'],
    ['itemAttributesID', 'id', 'v3'], ['manufacturerID', 'id'], ['noteID', 'id', 'v3'], ['seasonID', 'id'], ['defaultVendorID', 'id'], ['itemECommerceID', 'id']],
  sortable: ['itemID', 'timeStamp', 'description'],
  relations: [
    one('Category', 'Category'), one('TaxClass', 'TaxClass'), one('ItemAttributes', 'ItemAttributes'), one('Manufacturer'), one('Note'),
    many('Images', 'Image'), many('ItemShops', 'ItemShop', 'ItemShop'), many('ItemVendorNums', 'ItemVendorNum'), many('ItemComponents', 'ItemComponent'),
    one('ItemECommerce'), many('TagRelations', 'TagRelation'), many('CustomFieldValues', 'CustomFieldValue', undefined, { notInAll: true }),
    many('ItemPrices', 'ItemPrice'),
    many('Prices', 'ItemPrice', 'ItemPrice', { always: true }),
  ],
});

export const ItemMatrix = defineEntity({
  name: 'ItemMatrix', idField: 'itemMatrixID',
  fields: [['itemMatrixID', 'id'], ['description', 'string'], ['tax', 'bool'], ['defaultCost', 'float'], ['itemType', 'string'], ['serialized', 'bool', 'v3'],
    ['modelYear', 'int'], ['archived', 'bool'], ['timeStamp', 'datetime'], ['itemAttributeSetID', 'id'], ['manufacturerID', 'id'], ['categoryID', 'id'],
    ['defaultVendorID', 'id'], ['taxClassID', 'id'], ['seasonID', 'id'], ['departmentID', 'id'], ['itemECommerceID', 'id']],
  sortable: ['itemMatrixID', 'timeStamp', 'description'],
  relations: [
    one('Category', 'Category'), one('TaxClass', 'TaxClass'), one('Department'), one('ItemAttributeSet', 'ItemAttributeSet'), one('Manufacturer'),
    one('Season'), many('Images', 'Image'), many('Items', 'Item', 'Item'), one('ItemECommerce'), many('TagRelations', 'TagRelation'),
    many('CustomFieldValues', 'CustomFieldValue', undefined, { notInAll: true }),
    many('Prices', 'ItemPrice', 'ItemPrice', { always: true }),
  ],
});

export const Register = defineEntity({
  name: 'Register', idField: 'registerID',
  fields: [['registerID', 'id'], ['name', 'string'], ['open', 'bool'], ['openTime', 'datetime'], ['archived', 'bool'], ['openEmployeeID', 'id'],
    ['shopID', 'id'], ['ccTerminalID', 'id']],
  sortable: ['registerID'],
  relations: [one('Shop', 'Shop')],
});

export const Shop = defineEntity({
  name: 'Shop', idField: 'shopID',
  fields: [['shopID', 'id'], ['name', 'string'], ['serviceRate', 'float'], ['timeZone', 'string'], ['taxLabor', 'bool'], ['labelTitle', 'string'],
    ['labelMsrp', 'bool'], ['archived', 'bool'], ['timeStamp', 'datetime'], ['companyRegistrationNumber', 'string'], ['vatNumber', 'string'],
    ['zebraBrowserPrint', 'bool', 'v3'], ['contactID', 'id'], ['taxCategoryID', 'id'], ['receiptSetupID', 'id'], ['vendorID', 'id'],
    ['ccGatewayID', 'id'], ['gatewayConfigID', 'id', 'v3'], ['priceLevelID', 'id']],
  relations: [
    one('Contact', 'Contact'), one('ReceiptSetup'), one('TaxCategory', 'TaxCategory'), many('ShelfLocations', 'ShelfLocation'),
    many('Registers', 'Register', 'Register'), one('CCGateway'), one('PriceLevel', 'PriceLevel'),
  ],
});

export const Employee = defineEntity({
  name: 'Employee', idField: 'employeeID',
  fields: [['employeeID', 'id'], ['firstName', 'string'], ['lastName', 'string'], ['accessPin', 'string'], ['lockOut', 'bool'], ['archived', 'bool'],
    ['timeStamp', 'datetime'], ['contactID', 'id'], ['clockInEmployeeHoursID', 'id'], ['employeeRoleID', 'id'], ['limitToShopID', 'id'],
    ['lastShopID', 'id'], ['lastSaleID', 'id'], ['lastRegisterID', 'id']],
  relations: [one('Contact', 'Contact'), one('EmployeeRole')],
});

export const Vendor = defineEntity({
  name: 'Vendor', idField: 'vendorID',
  // the integration* fields only show on vendors embedded in recorded orders; the legacy API never sent contactID at the top level
  fields: [['vendorID', 'id'], ['name', 'string'], ['archived', 'bool'], ['accountNumber', 'string'], ['integrationName', 'string', 'v3'],
    ['integrationLogin', 'string', 'v3'], ['integrationPassword', 'string', 'v3'], ['integrationAccount', 'string', 'v3'], ['integrationEnabled', 'int', 'v3'],
    ['priceLevel', 'string'], ['updatePrice', 'bool'], ['updateCost', 'bool'], ['updateDescription', 'bool'], ['shareSellThrough', 'bool'],
    ['timeStamp', 'datetime'], ['contactID', 'id', 'v3']],
  sortable: ['vendorID', 'timeStamp', 'name'],
  relations: [one('Contact', 'Contact'), many('Reps', 'VendorRep')],
});

export const Discount = defineEntity({
  name: 'Discount', idField: 'discountID',
  fields: [['discountID', 'id'], ['name', 'string'], ['discountAmount', 'float'], ['discountPercent', 'float'], ['requireCustomer', 'bool'],
    ['archived', 'bool'], ['sourceID', 'int'], ['createTime', 'datetime'], ['timeStamp', 'datetime']],
});

export const CustomerType = defineEntity({
  name: 'CustomerType', idField: 'customerTypeID',
  fields: [['customerTypeID', 'id'], ['name', 'string'], ['taxCategoryID', 'id'], ['discountID', 'id']],
  sortable: ['customerTypeID', 'name'],
  relations: [one('Discount', 'Discount'), one('TaxCategory', 'TaxCategory')],
});

export const CreditAccount = defineEntity({
  name: 'CreditAccount', idField: 'creditAccountID',
  fields: [['creditAccountID', 'id'], ['name', 'string'], ['code', 'string'], ['creditLimit', 'float'], ['balance', 'float'], ['description', 'string'],
    ['giftCard', 'bool'], ['archived', 'bool'], ['customerID', 'id'], ['timeStamp', 'datetime']],
});

export const Customer = defineEntity({
  name: 'Customer', idField: 'customerID',
  fields: [['customerID', 'id'], ['firstName', 'string'], ['lastName', 'string'], ['dob', 'datetime'], ['archived', 'bool'], ['title', 'string'],
    ['company', 'string'], ['companyRegistrationNumber', 'string'], ['vatNumber', 'string'], ['createTime', 'datetime'], ['timeStamp', 'datetime'],
    ['contactID', 'id'], ['creditAccountID', 'id'], ['customerTypeID', 'id'], ['discountID', 'id'], ['employeeID', 'id'], ['noteID', 'id'],
    ['taxCategoryID', 'id']],
  sortable: ['customerID', 'timeStamp', 'firstName', 'lastName'],
  relations: [
    one('Contact', 'Contact'), one('CustomerType', 'CustomerType'), one('Discount', 'Discount'), one('Note'), one('TaxCategory', 'TaxCategory'),
    one('CreditAccount', 'CreditAccount'), many('Tags', 'Tag', undefined, { empty: 'empty-string' }),
    many('CustomFieldValues', 'CustomFieldValue', undefined, { notInAll: true }),
  ],
});

export const SalePayment = defineEntity({
  name: 'SalePayment', idField: 'salePaymentID',
  fields: [['salePaymentID', 'id'], ['amount', 'float'], ['tipAmount', 'float', 'v3'], ['createTime', 'datetime'], ['archived', 'bool'],
    ['remoteReference', 'string'], ['paymentID', 'string', 'v3'], ['saleID', 'id'], ['paymentTypeID', 'id'], ['ccChargeID', 'id'], ['refPaymentID', 'id'],
    ['registerID', 'id'], ['employeeID', 'id'], ['creditAccountID', 'id']],
  sortable: ['salePaymentID'],
  relations: [one('PaymentType', 'PaymentType'), one('CCCharge'), many('SaleAccounts', 'SaleAccount'), many('Signatures', 'SalePaymentSignature')],
});

export const SaleLine = defineEntity({
  name: 'SaleLine', idField: 'saleLineID',
  fields: [['saleLineID', 'id'], ['createTime', 'datetime'], ['timeStamp', 'datetime'], ['unitQuantity', 'int'], ['unitPrice', 'float'],
    ['normalUnitPrice', 'float'], ['discountAmount', 'float'], ['discountPercent', 'float'], ['avgCost', 'float'], ['fifoCost', 'float'], ['tax', 'bool'],
    ['tax1Rate', 'float'], ['tax2Rate', 'float'], ['isLayaway', 'bool'], ['isWorkorder', 'bool'], ['isSpecialOrder', 'bool'],
    ['displayableSubtotal', 'float'], ['displayableUnitPrice', 'float'], ['lineType', 'string', 'v3'], ['calcLineDiscount', 'float'],
    ['calcTransactionDiscount', 'float'], ['calcTotal', 'float'], ['calcSubtotal', 'float'], ['calcTax1', 'float'], ['calcTax2', 'float'],
    ['taxClassID', 'id'], ['customerID', 'id'], ['discountID', 'id'], ['employeeID', 'id'], ['itemID', 'id'], ['noteID', 'id'], ['parentSaleLineID', 'id'],
    ['shopID', 'id'], ['taxCategoryID', 'id', 'v3'], ['saleID', 'id'], ['itemFeeID', 'id', 'v3']],
  relations: [
    one('TaxClass', 'TaxClass'), one('Item', 'Item'), one('Note'), one('Discount', 'Discount'), many('InventorySales', 'InventorySale'),
    one('TaxCategory', 'TaxCategory'),
  ],
});

export const Sale = defineEntity({
  name: 'Sale', idField: 'saleID',
  fields: [['saleID', 'id'], ['timeStamp', 'datetime'], ['discountPercent', 'float'], ['completed', 'bool'], ['archived', 'bool'], ['voided', 'bool'],
    ['enablePromotions', 'bool'], ['isTaxInclusive', 'bool'], ['createTime', 'datetime', 'v3'], ['updatetime', 'datetime', 'v3'],
    ['completeTime', 'datetime', 'v3'], ['referenceNumber', 'string'], ['referenceNumberSource', 'string'], ['tax1Rate', 'float'], ['tax2Rate', 'float'],
    ['change', 'float'], ['tipEnabled', 'bool', 'v3'], ['receiptPreference', 'string'], ['displayableSubtotal', 'float'], ['ticketNumber', 'string'],
    ['calcDiscount', 'float'], ['calcTotal', 'float'], ['calcSubtotal', 'float'], ['calcTaxable', 'float'], ['calcNonTaxable', 'float'],
    ['calcAvgCost', 'float'], ['calcFIFOCost', 'float'], ['calcTax1', 'float'], ['calcTax2', 'float'], ['calcPayments', 'float'], ['calcTips', 'float', 'v3'],
    ['total', 'float'], ['totalDue', 'float'], ['displayableTotal', 'float'], ['balance', 'float'], ['customerID', 'id'], ['discountID', 'id'],
    ['employeeID', 'id'], ['tipEmployeeID', 'id', 'v3'], ['quoteID', 'id'], ['registerID', 'id'], ['shipToID', 'id'], ['shopID', 'id'],
    ['taxCategoryID', 'id'], ['taxTotal', 'float', 'after']],
  sortable: ['saleID', 'timeStamp', 'completeTime', 'updatetime'],
  relations: [
    one('Shop', 'Shop', { notInAll: true }),
    one('TaxCategory', 'TaxCategory'),
    many('SaleLines', 'SaleLine', 'SaleLine', { allNested: ['TaxClass', 'Item', 'Note', 'Discount', 'InventorySales'] }),
    one('TaxClassTotals'),
    many('SalePayments', 'SalePayment', 'SalePayment', { allNested: ['PaymentType', 'CCCharge', 'SaleAccounts', 'Signatures'] }),
    one('Customer', 'Customer', { allNested: ['Contact'] }),
    one('Discount', 'Discount'), one('Quote'), one('ShipTo'), many('SaleNotes', 'SaleNote'),
  ],
});

export const SaleVoid = defineEntity({
  name: 'SaleVoid', idField: 'saleVoidID',
  fields: [['saleVoidID', 'id'], ['createTime', 'datetime'], ['reason', 'string'], ['saleID', 'id'], ['employeeID', 'id'], ['shopID', 'id']],
  sortable: ['saleVoidID'],
});

export const InventoryCount = defineEntity({
  name: 'InventoryCount', idField: 'inventoryCountID',
  fields: [['inventoryCountID', 'id'], ['name', 'string'], ['archived', 'bool'], ['createTime', 'datetime'], ['timeStamp', 'datetime'], ['shopID', 'id']],
  relations: [many('InventoryCountItems', 'InventoryCountItem', 'InventoryCountItem'), one('Shop', 'Shop')],
});
export const InventoryCountItem = defineEntity({
  name: 'InventoryCountItem', idField: 'inventoryCountItemID',
  fields: [['inventoryCountItemID', 'id'], ['qty', 'int'], ['createTime', 'datetime'], ['timeStamp', 'datetime'], ['inventoryCountID', 'id'],
    ['itemID', 'id'], ['employeeID', 'id']],
  relations: [one('Item', 'Item')],
});
export const InventoryCountReconcile = defineEntity({
  name: 'InventoryCountReconcile', idField: 'inventoryCountReconcileID',
  fields: [['inventoryCountReconcileID', 'id'], ['createTime', 'datetime'], ['inventoryCountID', 'id'], ['itemID', 'id'], ['itemsReconciled', 'int']],
});

export const OrderLine = defineEntity({
  name: 'OrderLine', idField: 'orderLineID',
  fields: [['orderLineID', 'id'], ['quantity', 'int'], ['price', 'float'], ['originalPrice', 'float'], ['vendorCost', 'float', 'v3'], ['checkedIn', 'int'],
    ['numReceived', 'int'], ['createTime', 'datetime'], ['timeStamp', 'datetime'], ['total', 'float'], ['orderID', 'id'], ['itemID', 'id']],
  relations: [one('Item', 'Item')],
});
export const Order = defineEntity({
  name: 'Order', idField: 'orderID',
  fields: [['orderID', 'id'], ['orderedDate', 'datetime'], ['receivedDate', 'datetime'], ['arrivalDate', 'datetime'], ['refNum', 'string'],
    ['shipInstructions', 'string'], ['stockInstructions', 'string'], ['shipCost', 'float'], ['otherCost', 'float'], ['complete', 'bool'],
    ['archived', 'bool'], ['discount', 'float'], ['totalDiscount', 'float'], ['totalQuantity', 'int'], ['createTime', 'datetime', 'v3'],
    ['timeStamp', 'datetime'], ['vendorID', 'id'], ['noteID', 'id'], ['shopID', 'id'], ['createdByEmployeeID', 'id', 'v3']],
  relations: [many('OrderLines', 'OrderLine', 'OrderLine'), one('Note'), one('Vendor', 'Vendor'), one('Shop', 'Shop'),
    many('CustomFieldValues', 'CustomFieldValue', undefined, { notInAll: true })],
});

export const ENTITIES: ReadonlyMap<string, EntityDef> = new Map([
  Contact, ContactAddress, ContactPhone, ContactEmail, ContactWebsite, TaxClass, TaxCategory, PaymentType, PriceLevel, ItemAttributeSet,
  ItemAttributes, ItemPrice, Category, ItemShop, Item, ItemMatrix, Register, Shop, Employee, Vendor, Discount, CustomerType, CreditAccount,
  Customer, SalePayment, SaleLine, Sale, SaleVoid, InventoryCount, InventoryCountItem, InventoryCountReconcile, OrderLine, Order,
].map((def) => [def.name, def]));

export function entityDef(name: string): EntityDef {
  const def = ENTITIES.get(name);
  if (!def) throw new Error(`no entity definition for ${name}`);
  return def;
}
