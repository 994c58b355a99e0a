// Real wholesale traffic from the UCI "Online Retail" data set (a UK gift-ware wholesaler, 2010):
// its products become a catalogue and its invoices become sandbox events. Invoices with a
// CustomerID are B2B orders in OroCommerce, invoices without one are walk-in POS sales, and
// cancellation invoices (`C…`) are refunds at the POS. "PACK OF 12" in a description gives the
// product a case unit (`set`, 12 eaches), and B2B lines of whole cases are ordered by the case.
import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { derivePrices, DEFAULT_SEED, type Catalogue, type CatalogueProduct, type CatalogueShop } from './catalogue.js';
import { Random } from './random.js';
import type { TrafficEvent } from './traffic-events.js';

interface Row {
  InvoiceNo: string;
  StockCode: string;
  Description: string;
  Quantity: string;
  InvoiceDate: string;
  UnitPrice: string;
  CustomerID: string;
  Country: string;
}

/** Stock codes of real products: five digits and an optional variant letter (not POST, D, M, DOT, …). */
const PRODUCT_CODE = /^\d{5}[A-Z]{0,2}$/;
const PACK = /\b(?:PACK|SET|BOX|BAG|TUBE)\s+OF\s*(\d{1,3})\b/;

export interface OnlineRetailWorld {
  readonly catalogue: Catalogue;
  /** In invoice order. */
  readonly events: readonly TrafficEvent[];
  /** Rows left out, by reason (no product code, zero price, no description). */
  readonly skipped: Readonly<Record<string, number>>;
}

export function packSize(description: string): number | undefined {
  const match = PACK.exec(description.toUpperCase());
  const size = match ? Number(match[1]) : NaN;
  return Number.isInteger(size) && size > 1 ? size : undefined;
}

export function loadOnlineRetail(file: string, seed = DEFAULT_SEED): OnlineRetailWorld {
  const rows = parseCsv(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, relax_quotes: true }) as Row[];
  const random = new Random(seed);
  const skipped: Record<string, number> = {};
  const skip = (reason: string): void => { skipped[reason] = (skipped[reason] ?? 0) + 1; };

  const products = new Map<string, CatalogueProduct>();
  const sold = new Map<string, number>();
  const usable: Row[] = [];
  for (const row of rows) {
    if (!PRODUCT_CODE.test(row.StockCode)) { skip('not a product code'); continue; }
    if (!row.Description.trim()) { skip('no description'); continue; }
    const price = Math.round(Number(row.UnitPrice) * 100);
    if (!Number.isFinite(price) || price <= 0) { skip('no price'); continue; }
    usable.push(row);
    sold.set(row.StockCode, (sold.get(row.StockCode) ?? 0) + Math.abs(Number(row.Quantity)));
    if (products.has(row.StockCode)) continue;
    const pack = packSize(row.Description);
    products.set(row.StockCode, {
      sku: row.StockCode,
      name: titleCase(row.Description.trim()),
      description: '',
      status: 'enabled',
      type: 'simple',
      units: [{ code: 'item', precision: 0, rate: 1, sell: true }, ...(pack ? [{ code: 'set', precision: 0, rate: pack, sell: true }] : [])],
      priceCents: price,
    });
  }

  const customers = [...new Set(usable.map((r) => r.CustomerID).filter(Boolean))].sort();
  const shops: CatalogueShop[] = [
    { id: 1, name: 'London', timeZone: 'Europe/London', registers: 2 },
    { id: 2, name: 'Manchester', timeZone: 'Europe/London', registers: 1 },
  ];
  const productList = [...products.values()];
  const priceLists = [
    { name: 'Default Price List', currencies: ['GBP'], discount: 0 },
    { name: 'Wholesale Price List', currencies: ['GBP'], discount: 0.1 },
  ];
  const stock: { sku: string; shopId: number; qoh: number }[] = [];
  const inventory: { sku: string; unit: string; quantity: number }[] = [];
  for (const product of productList) {
    // enough stock that a week of sales does not run dry: twice what the week sold, split over the shops
    const total = Math.max(20, (sold.get(product.sku) ?? 0) * 2);
    const first = Math.ceil(total * 0.6);
    stock.push({ sku: product.sku, shopId: 1, qoh: first }, { sku: product.sku, shopId: 2, qoh: total - first });
    for (const unit of product.units) inventory.push({ sku: product.sku, unit: unit.code, quantity: Math.floor(total / unit.rate) });
  }
  const catalogue: Catalogue = {
    seed,
    products: productList,
    priceLists,
    prices: derivePrices(productList, priceLists),
    priceListLinks: [
      { priceList: 'Default Price List', website: true, sortOrder: 100, mergeAllowed: true },
      { priceList: 'Wholesale Price List', group: 'Wholesale Customers', sortOrder: 100, mergeAllowed: false },
    ],
    customerGroups: ['Wholesale Customers'],
    customers: customers.map((id) => ({ name: customerName(id), group: 'Wholesale Customers' })),
    customerUsers: customers.map((id) => ({
      email: customerEmail(id), firstName: 'Buyer', lastName: id, customer: customerName(id), role: 'Buyer', isGuest: false,
    })),
    paymentTerms: ['net 30'],
    orders: [],
    inventory,
    shops,
    stock,
  };
  return { catalogue, events: invoiceEvents(usable, products, random), skipped };
}

function invoiceEvents(rows: readonly Row[], products: ReadonlyMap<string, CatalogueProduct>, random: Random): TrafficEvent[] {
  const invoices = new Map<string, Row[]>();
  for (const row of rows) {
    const lines = invoices.get(row.InvoiceNo) ?? [];
    lines.push(row);
    invoices.set(row.InvoiceNo, lines);
  }
  const events: TrafficEvent[] = [];
  const shopOf = new Map<string, number>();
  for (const [invoice, lines] of invoices) {
    const first = lines[0]!;
    const customer = first.CustomerID;
    if (invoice.startsWith('C')) {
      // a refund at the POS, at the shop where this customer last bought (or a random one)
      const shopId = shopOf.get(customer) ?? random.int(1, 2);
      events.push({ kind: 'refund', ref: invoice, shopId, lines: lines.map((l) => ({ sku: l.StockCode, quantity: Math.abs(Number(l.Quantity)) })) });
      continue;
    }
    const positive = lines.filter((l) => Number(l.Quantity) > 0);
    if (positive.length === 0) continue;
    if (customer) {
      events.push({
        kind: 'b2b-order', ref: invoice, customerUserEmail: customerEmail(customer), currency: 'GBP',
        lines: positive.map((l) => b2bLine(l, products.get(l.StockCode)!)),
      });
      shopOf.set(customer, shopOf.get(customer) ?? random.int(1, 2));
    } else {
      events.push({ kind: 'pos-sale', ref: invoice, shopId: random.int(1, 2), lines: positive.map((l) => ({ sku: l.StockCode, quantity: Number(l.Quantity) })) });
    }
  }
  return events;
}

/** Whole cases of a pack product are ordered by the case; anything else in eaches. */
function b2bLine(row: Row, product: CatalogueProduct): { sku: string; unit: string; quantity: number } {
  const quantity = Number(row.Quantity);
  const caseUnit = product.units.find((u) => u.code === 'set');
  if (caseUnit && quantity >= caseUnit.rate && quantity % caseUnit.rate === 0) {
    return { sku: product.sku, unit: 'set', quantity: quantity / caseUnit.rate };
  }
  return { sku: product.sku, unit: 'item', quantity };
}

const customerName = (id: string): string => `Customer ${id}`;
const customerEmail = (id: string): string => `buyer.${id}@example.org`;

function titleCase(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').replace(/\b([a-z])/g, (c) => c.toUpperCase());
}
