// Everything the simulated OroCommerce knows: one table per entity with the indexes its list
// filters and business rules look up by, the id sequences, and the instance's settings
// (edition, version, system configuration). Resources, seeding and checkout all work on this.
import type { Clock } from '../clock.js';
import type {
  AddressRow, AsyncOperationRow, CustomerGroupRow, CustomerRow, CustomerUserRoleRow, CustomerUserRow, FallbackValueRow,
  InventoryLevelRow, LocalizedType, LocalizedValueRow, OrderLineRow, OrderRow, PaymentTermRow, PrecisionRow, PriceListLinkRow,
  PriceListRow, PriceRow, ProductRow, ReferenceRow, UnitRow, WarehouseRow, WebhookRow,
} from './model.js';
import { toSeconds } from './format.js';
import { localizedKey } from './model.js';
import { Journal, Sequence, Table, type Id, type Row } from './store.js';

/** System configuration values of the inventory options (§9), the last step of every fallback. */
export interface InventoryConfig {
  readonly manageInventory: boolean;
  readonly decrementInventory: boolean;
  readonly backorders: boolean;
  readonly inventoryThreshold: number;
}

export const ORO_INVENTORY_DEFAULTS: InventoryConfig = { manageInventory: false, decrementInventory: true, backorders: false, inventoryThreshold: 0 };

export type OroVersion = '7.0.4' | 'master';

export interface StateSettings {
  readonly enterprise: boolean;
  readonly version: OroVersion;
  readonly inventory: InventoryConfig;
  /** Seeds the product price uuids, so a seed always gives the same ids. */
  readonly seed: number;
}

function localizedKeyOf(row: LocalizedValueRow): number | undefined {
  return row.productId === null || row.field === null ? undefined : localizedKey(row.productId, row.field);
}

export class OroState {
  readonly journal = new Journal();
  readonly #sequences = new Map<string, Sequence>();

  readonly products = this.#table<ProductRow>('products');
  readonly productsBySku = this.products.unique((p) => p.sku.toLowerCase());
  readonly productsByUpdatedAt = this.products.sorted((p) => p.updatedAt);
  readonly productsByCreatedAt = this.products.sorted((p) => p.createdAt);

  readonly localized: Readonly<Record<LocalizedType, Table<LocalizedValueRow>>> = {
    productnames: this.#table('productnames'),
    productdescriptions: this.#table('productdescriptions'),
    productshortdescriptions: this.#table('productshortdescriptions'),
    localizedfallbackvalues: this.#table('localizedfallbackvalues'),
  };
  readonly localizedByProduct = {
    productnames: this.localized.productnames.group(localizedKeyOf),
    productdescriptions: this.localized.productdescriptions.group(localizedKeyOf),
    productshortdescriptions: this.localized.productshortdescriptions.group(localizedKeyOf),
    localizedfallbackvalues: this.localized.localizedfallbackvalues.group(localizedKeyOf),
  } as const;
  readonly fallbackValues = this.#table<FallbackValueRow>('entityfieldfallbackvalues');

  readonly units = this.#table<UnitRow>('productunits');
  readonly precisions = this.#table<PrecisionRow>('productunitprecisions');
  readonly precisionsByProduct = this.precisions.group((p) => p.productId);

  readonly levels = this.#table<InventoryLevelRow>('inventorylevels');
  readonly levelsByProduct = this.levels.group((l) => l.productId);
  readonly levelsByPrecision = this.levels.group((l) => l.precisionId);
  readonly levelsByWarehouse = this.levels.group((l) => l.warehouseId ?? undefined);
  readonly warehouses = this.#table<WarehouseRow>('warehouses');

  readonly priceLists = this.#table<PriceListRow>('pricelists');
  readonly prices = this.#table<PriceRow>('productprices');
  readonly pricesByList = this.prices.group((p) => p.priceListId);
  readonly pricesByProduct = this.prices.group((p) => p.productId);
  readonly customerLinks = this.#table<PriceListLinkRow>('pricelisttocustomers');
  readonly customerLinksByCustomer = this.customerLinks.group((l) => l.customerId ?? undefined);
  readonly groupLinks = this.#table<PriceListLinkRow>('pricelisttocustomergroups');
  readonly groupLinksByGroup = this.groupLinks.group((l) => l.customerGroupId ?? undefined);
  readonly websiteLinks = this.#table<PriceListLinkRow>('pricelisttowebsites');

  readonly customers = this.#table<CustomerRow>('customers');
  readonly customersByParent = this.customers.group((c) => c.parentId ?? undefined);
  readonly customersByName = this.customers.group((c) => c.name.toLowerCase());
  readonly customersByUpdatedAt = this.customers.sorted((c) => c.updatedAt);
  readonly customersByCreatedAt = this.customers.sorted((c) => c.createdAt);
  readonly customerGroups = this.#table<CustomerGroupRow>('customergroups');
  readonly customerUsers = this.#table<CustomerUserRow>('customerusers');
  readonly customerUsersByCustomer = this.customerUsers.group((u) => u.customerId);
  readonly customerUsersByEmail = this.customerUsers.unique((u) => u.email.toLowerCase());
  readonly customerUserRoles = this.#table<CustomerUserRoleRow>('customeruserroles');
  readonly customerUserAddresses = this.#table<AddressRow>('customeruseraddresses');
  readonly addressesByCustomerUser = this.customerUserAddresses.group((a) => a.customerUserId ?? undefined);
  readonly paymentTerms = this.#table<PaymentTermRow>('paymentterms');

  readonly orders = this.#table<OrderRow>('orders');
  readonly ordersByIdentifier = this.orders.group((o) => o.identifier.toLowerCase());
  readonly ordersByUpdatedAt = this.orders.sorted((o) => o.updatedAt);
  readonly ordersByCreatedAt = this.orders.sorted((o) => o.createdAt);
  readonly ordersByCustomer = this.orders.group((o) => o.customerId);
  readonly orderAddresses = this.#table<AddressRow>('orderaddresses');
  readonly orderLines = this.#table<OrderLineRow>('orderlineitems');
  readonly orderLinesByOrder = this.orderLines.group((l) => l.orderId);
  readonly orderLinesByProduct = this.orderLines.group((l) => l.productId ?? undefined);
  readonly orderLinesByUpdatedAt = this.orderLines.sorted((l) => l.updatedAt);
  readonly orderLinesByCreatedAt = this.orderLines.sorted((l) => l.createdAt);

  readonly webhooks = this.#table<WebhookRow>('webhooks');
  readonly asyncOperations = this.#table<AsyncOperationRow>('asyncoperations');

  /** Read-only reference types (users, organizations, enums, topics…), by type. */
  readonly references = new Map<string, Table<ReferenceRow>>();

  /** Entities whose changes webhooks may announce (`webhook_accessible`), by topic prefix. */
  readonly webhookAccessible = new Set<string>();

  constructor(readonly settings: StateSettings, private readonly clock: Clock) {}

  #table<R extends Row>(name: string): Table<R> {
    return new Table<R>(name, this.journal);
  }

  /** The next id of a type's sequence. */
  nextId(type: string): number {
    return this.sequence(type).next();
  }

  sequence(type: string): Sequence {
    let sequence = this.#sequences.get(type);
    if (!sequence) {
      sequence = new Sequence();
      this.#sequences.set(type, sequence);
    }
    return sequence;
  }

  /** Now, to the second, as Oro stores it. */
  now(): number {
    return toSeconds(this.clock.now());
  }

  /** Epoch ms with full precision (timers, elapsed times). */
  nowMs(): number {
    return this.clock.now();
  }

  reference(type: string): Table<ReferenceRow> {
    let table = this.references.get(type);
    if (!table) {
      table = this.#table<ReferenceRow>(type);
      this.references.set(type, table);
    }
    return table;
  }

  addReference(type: string, id: Id, attributes: Record<string, unknown>): void {
    const table = this.reference(type);
    if (!table.get(id)) table.insert({ id, attributes });
    if (typeof id === 'number') this.sequence(type).skipPast(id);
  }

  productBySku(sku: string): ProductRow | undefined {
    const id = this.productsBySku.get(sku.toLowerCase());
    return id === undefined ? undefined : this.products.get(id);
  }

  precisionsOf(productId: number): PrecisionRow[] {
    return this.precisionsByProduct.get(productId).map((id) => this.precisions.get(id)!);
  }

  precisionFor(productId: number, unit: string): PrecisionRow | undefined {
    return this.precisionsOf(productId).find((p) => p.unit === unit);
  }

  /** Prices of a product in one price list. */
  pricesOf(priceListId: number, productId: number): PriceRow[] {
    return this.pricesByProduct.get(productId).map((id) => this.prices.get(id)!).filter((p) => p.priceListId === priceListId);
  }

  levelsOfPrecision(precisionId: number): InventoryLevelRow[] {
    return this.levelsByPrecision.get(precisionId).map((id) => this.levels.get(id)!);
  }

  customerUserByEmail(email: string): CustomerUserRow | undefined {
    const id = this.customerUsersByEmail.get(email.toLowerCase());
    return id === undefined ? undefined : this.customerUsers.get(id);
  }
}
