// The rows the simulator stores, one interface per Oro entity, in Oro's own terms. Money is in
// 1/10000 units (see format.ts), timestamps in epoch ms truncated to the second.

export const FALLBACK_FIELDS = [
  'manageInventory', 'inventoryThreshold', 'highlightLowInventory', 'lowInventoryThreshold', 'decrementQuantity', 'backOrder',
  'isUpcoming', 'minimumQuantityToOrder', 'maximumQuantityToOrder', 'pageTemplate',
] as const;
export type FallbackField = (typeof FALLBACK_FIELDS)[number];

export const LOCALIZED_FIELDS = {
  names: 'productnames',
  descriptions: 'productdescriptions',
  shortDescriptions: 'productshortdescriptions',
  slugPrototypes: 'localizedfallbackvalues',
  metaTitles: 'localizedfallbackvalues',
  metaDescriptions: 'localizedfallbackvalues',
  metaKeywords: 'localizedfallbackvalues',
} as const;
export type LocalizedField = keyof typeof LOCALIZED_FIELDS;

/** A small number per localized field, for compact index keys. */
export const LOCALIZED_FIELD_NUMBERS: Readonly<Record<LocalizedField, number>> = {
  names: 1, descriptions: 2, shortDescriptions: 3, slugPrototypes: 4, metaTitles: 5, metaDescriptions: 6, metaKeywords: 7,
};

/** Index key of a product's values of one localized field (a small integer, cheap as a Map key). */
export function localizedKey(productId: number, field: LocalizedField): number {
  return productId * 8 + LOCALIZED_FIELD_NUMBERS[field];
}
export type LocalizedType = (typeof LOCALIZED_FIELDS)[LocalizedField];

export interface ProductRow {
  readonly id: number;
  readonly sku: string;
  readonly status: 'enabled' | 'disabled';
  readonly productType: 'simple' | 'configurable' | 'kit';
  readonly variantFields: readonly string[];
  readonly featured: boolean;
  readonly newArrival: boolean;
  readonly availabilityDate: string | null;
  readonly categorySortOrder: number | null;
  readonly attributeFamilyId: number;
  readonly primaryPrecisionId: number | null;
  readonly inventoryStatus: string;
  readonly categoryId: number | null;
  readonly ownerId: number;
  readonly organizationId: number;
  /** entityfieldfallbackvalues ids of the product's own option values. */
  readonly fallbacks: Readonly<Partial<Record<FallbackField, number>>>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** productnames, productdescriptions, productshortdescriptions and localizedfallbackvalues rows. */
export interface LocalizedValueRow {
  readonly id: number;
  readonly productId: number | null;
  readonly field: LocalizedField | null;
  readonly localizationId: number | null;
  readonly fallback: string | null;
  readonly string: string | null;
  readonly text: string | null;
}

export interface FallbackValueRow {
  readonly id: number;
  readonly fallback: string | null;
  readonly scalarValue: string | null;
  readonly arrayValue: unknown;
}

export interface UnitRow {
  readonly id: string;
  readonly defaultPrecision: number;
  readonly label: string;
  readonly shortLabel: string;
  readonly pluralLabel: string;
  readonly shortPluralLabel: string;
}

export interface PrecisionRow {
  readonly id: number;
  readonly productId: number;
  readonly unit: string;
  readonly precision: number;
  readonly conversionRate: number | null;
  readonly sell: boolean;
}

export interface InventoryLevelRow {
  readonly id: number;
  readonly productId: number;
  readonly precisionId: number;
  /** Enterprise mode only. */
  readonly warehouseId: number | null;
  readonly quantity: number;
  readonly externalId: string | null;
  readonly organizationId: number;
}

export interface WarehouseRow {
  readonly id: number;
  readonly name: string;
  readonly organizationId: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface PriceListRow {
  readonly id: number;
  readonly name: string;
  readonly currencies: readonly string[];
  readonly active: boolean;
  readonly actual: boolean;
  readonly productAssignmentRule: string | null;
  readonly organizationId: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** `id` is an internal sequence number; the API id is `<uuid>-<priceListId>` (see pricing.ts). */
export interface PriceRow {
  readonly id: number;
  readonly priceListId: number;
  readonly productId: number;
  readonly unit: string;
  readonly quantity: number;
  readonly value: number;
  readonly currency: string;
}

export interface PriceListLinkRow {
  readonly id: number;
  readonly priceListId: number;
  /** pricelisttocustomers: a customer; pricelisttocustomergroups: a group; pricelisttowebsites: neither. */
  readonly customerId: number | null;
  readonly customerGroupId: number | null;
  readonly websiteId: number;
  readonly sortOrder: number;
  readonly mergeAllowed: boolean;
}

export interface CustomerRow {
  readonly id: number;
  readonly name: string;
  readonly parentId: number | null;
  readonly groupId: number | null;
  readonly paymentTermId: number | null;
  readonly internalRating: string | null;
  readonly salesRepresentativeIds: readonly number[];
  readonly externalId: string | null;
  readonly ownerId: number;
  readonly organizationId: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface CustomerGroupRow {
  readonly id: number;
  readonly name: string;
  readonly paymentTermId: number | null;
  readonly ownerId: number;
  readonly organizationId: number;
}

export interface CustomerUserRow {
  readonly id: number;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly namePrefix: string | null;
  readonly middleName: string | null;
  readonly nameSuffix: string | null;
  readonly birthday: string | null;
  readonly enabled: boolean;
  readonly confirmed: boolean;
  readonly isGuest: boolean;
  readonly customerId: number;
  readonly roleIds: readonly number[];
  readonly salesRepresentativeIds: readonly number[];
  readonly externalId: string | null;
  readonly ownerId: number;
  readonly organizationId: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface CustomerUserRoleRow {
  readonly id: number;
  readonly role: string;
  readonly label: string;
}

export interface AddressRow {
  readonly id: number;
  /** customeruseraddresses: the owning customer user; orderaddresses: null. */
  readonly customerUserId: number | null;
  readonly label: string | null;
  readonly street: string | null;
  readonly street2: string | null;
  readonly city: string | null;
  readonly postalCode: string | null;
  readonly organization: string | null;
  readonly namePrefix: string | null;
  readonly firstName: string | null;
  readonly middleName: string | null;
  readonly lastName: string | null;
  readonly nameSuffix: string | null;
  readonly phone: string | null;
  readonly customRegion: string | null;
  readonly country: string | null;
  readonly region: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface PaymentTermRow {
  readonly id: number;
  readonly label: string;
}

export const INTERNAL_STATUSES = ['open', 'pending', 'processing', 'closed', 'cancelled'] as const;
export const SHIPPING_STATUSES = ['not_shipped', 'partially_shipped', 'shipped'] as const;
export type InternalStatus = (typeof INTERNAL_STATUSES)[number];
export type ShippingStatus = (typeof SHIPPING_STATUSES)[number];

export interface OrderRow {
  readonly id: number;
  readonly identifier: string;
  readonly poNumber: string | null;
  readonly customerNotes: string | null;
  readonly shipUntil: string | null;
  readonly currency: string;
  readonly subtotal: number;
  readonly total: number;
  readonly shippingMethod: string | null;
  readonly shippingMethodType: string | null;
  readonly estimatedShippingCost: number | null;
  readonly overriddenShippingCost: number | null;
  readonly sourceEntityIdentifier: string | null;
  readonly external: boolean;
  readonly externalId: string | null;
  readonly customerId: number;
  readonly customerUserId: number | null;
  readonly billingAddressId: number | null;
  readonly shippingAddressId: number | null;
  readonly paymentTermId: number | null;
  readonly internalStatus: InternalStatus;
  readonly shippingStatus: ShippingStatus;
  readonly ownerId: number;
  readonly organizationId: number;
  readonly createdById: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface OrderLineRow {
  readonly id: number;
  readonly orderId: number;
  readonly productId: number | null;
  readonly parentProductId: number | null;
  readonly productSku: string | null;
  readonly productName: string | null;
  readonly freeFormProduct: string | null;
  readonly quantity: number;
  readonly unit: string;
  readonly value: number;
  readonly currency: string;
  readonly priceType: 10 | 20;
  readonly shipBy: string | null;
  readonly fromExternalSource: boolean;
  readonly comment: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type WebhookFormat = 'default' | 'thin';

export interface WebhookRow {
  readonly id: number;
  readonly notificationUrl: string;
  readonly secret: string | null;
  readonly enabled: boolean;
  readonly verifySsl: boolean;
  readonly topic: string;
  readonly format: WebhookFormat;
  readonly ownerId: number;
  readonly organizationId: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type AsyncStatus = 'new' | 'running' | 'success' | 'failed' | 'cancelled';

export interface AsyncErrorRow {
  readonly id: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly source?: { readonly pointer?: string; readonly propertyPath?: string };
}

export interface AsyncSummary {
  readonly aggregateTime: number;
  readonly readCount: number;
  readonly writeCount: number;
  readonly errorCount: number;
  readonly createCount: number;
  readonly updateCount: number;
}

export interface AsyncOperationRow {
  readonly id: number;
  readonly status: AsyncStatus;
  readonly progress: number | null;
  readonly entityType: string;
  readonly summary: AsyncSummary | null;
  readonly errors: readonly AsyncErrorRow[];
  readonly ownerId: number;
  readonly organizationId: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Epoch ms when it may finish (the simulated MQ consumer's pace). */
  readonly dueAt: number;
}

/** Small read-only reference records: users, organizations, business units, websites, enums… */
export interface ReferenceRow {
  readonly id: Id;
  readonly attributes: Readonly<Record<string, unknown>>;
}

type Id = number | string;
