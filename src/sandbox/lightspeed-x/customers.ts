// Customers and customer groups (spec §10): create (first_name and last_name required), update,
// soft delete; card numbers in text fields are redacted on the way in (spec §5).
import { unprocessable } from './errors.js';
import { redactFields } from './redact.js';
import type { XRow, XStore } from './store.js';

const STRING_FIELDS = [
  'first_name', 'last_name', 'customer_code', 'company_name', 'email', 'phone', 'mobile', 'fax', 'twitter', 'website', 'gender',
  'date_of_birth', 'note', 'physical_address_1', 'physical_address_2', 'physical_suburb', 'physical_city', 'physical_postcode',
  'physical_state', 'physical_country_id', 'postal_address_1', 'postal_address_2', 'postal_suburb', 'postal_city', 'postal_postcode',
  'postal_state', 'postal_country_id', 'custom_field_1', 'custom_field_2', 'custom_field_3', 'custom_field_4',
] as const;
const TEXT_FIELDS = ['note', 'custom_field_1', 'custom_field_2', 'custom_field_3', 'custom_field_4', 'company_name', 'physical_address_1', 'physical_address_2', 'postal_address_1', 'postal_address_2'];

export function defaultGroup(store: XStore): XRow {
  return store.live('customer_groups').find((g) => g.group_id === 'default') ?? store.live('customer_groups')[0]!;
}

function accepted(store: XStore, body: Record<string, unknown>, current?: XRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of STRING_FIELDS) {
    if (!(field in body)) continue;
    const value = body[field];
    if (value !== null && typeof value !== 'string') throw unprocessable(field, 'must be a string or null');
    out[field] = value;
  }
  if (out.gender !== undefined && out.gender !== null && out.gender !== 'M' && out.gender !== 'F') throw unprocessable('gender', 'must be M, F or null');
  if ('customer_group_id' in body) {
    const group = typeof body.customer_group_id === 'string' ? store.get('customer_groups', body.customer_group_id) : undefined;
    if (!group || group.deleted_at !== null) throw unprocessable('customer_group_id', 'must name an existing customer group');
    out.customer_group_id = group.id;
  }
  for (const flag of ['do_not_email', 'enable_loyalty'] as const) {
    if (!(flag in body)) continue;
    if (typeof body[flag] !== 'boolean') throw unprocessable(flag, 'must be a boolean');
    out[flag] = body[flag];
  }
  if ('on_account_limit' in body) out.on_account_limit = body.on_account_limit === null ? null : Number(body.on_account_limit);
  const code = out.customer_code;
  if (typeof code === 'string' && store.live('customers').some((c) => c.customer_code === code && c.id !== current?.id)) {
    throw unprocessable('customer_code', `"${code}" is already used by another customer`);
  }
  redactFields(out, TEXT_FIELDS);
  return out;
}

export function createCustomer(store: XStore, body: Record<string, unknown>): XRow {
  for (const field of ['first_name', 'last_name'] as const) {
    if (typeof body[field] !== 'string' || body[field] === '') throw unprocessable(field, 'is required');
  }
  const fields = accepted(store, body);
  const blank = Object.fromEntries(STRING_FIELDS.map((f) => [f, null]));
  const first = String(fields.first_name);
  const last = String(fields.last_name);
  return store.insert('customers', {
    ...blank, customer_code: `${first}-${last}`.toLowerCase().replace(/[^a-z0-9-]+/g, '') + `-${store.random.int(1000, 9999)}`,
    customer_group_id: defaultGroup(store).id, do_not_email: false, enable_loyalty: false,
    year_to_date: 0, balance: 0, loyalty_balance: 0, on_account_limit: null,
    ...fields, name: `${first} ${last}`,
  });
}

export function updateCustomer(store: XStore, customer: XRow, body: Record<string, unknown>): XRow {
  const fields = accepted(store, body, customer);
  for (const field of ['first_name', 'last_name'] as const) {
    if (field in fields && (fields[field] === null || fields[field] === '')) throw unprocessable(field, 'cannot be empty');
  }
  const first = String(fields.first_name ?? customer.first_name);
  const last = String(fields.last_name ?? customer.last_name);
  return store.update('customers', customer, { ...fields, name: `${first} ${last}` });
}

export function createCustomerGroup(store: XStore, body: Record<string, unknown>): XRow {
  if (typeof body.name !== 'string' || body.name.trim() === '') throw unprocessable('name', 'is required');
  if (store.live('customer_groups').some((g) => g.name === body.name)) throw unprocessable('name', `a customer group "${body.name}" exists`);
  return store.insert('customer_groups', { name: body.name, group_id: store.uuid().slice(0, 8), retailer_id: RETAILER_ID });
}

export const RETAILER_ID = '00000000-0001-0001-0001-000000000001';
