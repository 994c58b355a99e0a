// Postal addresses: `orderaddresses` (written with an order, only new ones on create) and the
// read-only `customeruseraddresses`; countries and regions are referenced by code (`US`, `US-NY`).
import { Errors } from '../errors.js';
import type { AddressRow } from '../model.js';
import { FULL_CRUD, READ_ONLY, defineResource, type AttributeDef, type ResourceDef } from '../resource.js';
import type { Table } from '../store.js';
import type { ResourceInput, WriteContext } from '../write-context.js';
import { attr, datetime, idFilter, relationFilter, toOne } from './fields.js';

const TEXT_FIELDS = ['label', 'street', 'street2', 'city', 'postalCode', 'organization', 'namePrefix', 'firstName', 'middleName', 'lastName', 'nameSuffix', 'phone', 'customRegion'] as const;

function addressAttributes(): Record<string, AttributeDef<AddressRow>> {
  const attributes: Record<string, AttributeDef<AddressRow>> = {};
  for (const field of TEXT_FIELDS) attributes[field] = attr((a) => a[field]);
  attributes.createdAt = datetime((a) => a.createdAt);
  attributes.updatedAt = datetime((a) => a.updatedAt);
  return attributes;
}

export function orderAddressesResource(): ResourceDef<AddressRow> {
  return defineResource<AddressRow>({
    type: 'orderaddresses',
    table: (state) => state.orderAddresses,
    actions: FULL_CRUD,
    attributes: addressAttributes(),
    relationships: {
      country: toOne('countries', (a) => a.country),
      region: toOne('regions', (a) => a.region),
    },
    filters: { id: idFilter() },
    sorts: {},
    create: (input, ctx) => writeAddress(ctx.state.orderAddresses, undefined, input, ctx),
    update: (row, input, ctx) => writeAddress(ctx.state.orderAddresses, row, input, ctx),
  });
}

export function customerUserAddressesResource(): ResourceDef<AddressRow> {
  return defineResource<AddressRow>({
    type: 'customeruseraddresses',
    table: (state) => state.customerUserAddresses,
    actions: READ_ONLY,
    attributes: addressAttributes(),
    relationships: {
      customerUser: toOne('customerusers', (a) => a.customerUserId),
      country: toOne('countries', (a) => a.country),
      region: toOne('regions', (a) => a.region),
    },
    filters: { id: idFilter(), customerUser: relationFilter('customerusers', (a) => a.customerUserId, (ctx) => ctx.state.addressesByCustomerUser) },
    sorts: {},
  });
}

export function writeAddress(table: Table<AddressRow>, row: AddressRow | undefined, input: ResourceInput, ctx: WriteContext): AddressRow | undefined {
  ctx.rejectUnknown(input, [...TEXT_FIELDS, 'createdAt', 'updatedAt'], ['country', 'region', 'customerAddress', 'customerUserAddress']);
  const mark = ctx.errors.length;
  const changes: { -readonly [K in keyof AddressRow]?: AddressRow[K] } = {};
  for (const field of TEXT_FIELDS) {
    const value = ctx.string(input, field, { maxLength: 255 });
    if (value !== undefined) changes[field] = value === '' ? null : value;
  }
  const country = ctx.toOne(input, 'country', 'countries');
  if (country !== undefined) changes.country = country as string | null;
  const region = ctx.toOne(input, 'region', 'regions');
  if (region !== undefined) changes.region = region as string | null;
  ctx.toOne(input, 'customerAddress', 'customeraddresses');
  ctx.toOne(input, 'customerUserAddress', 'customeruseraddresses');
  if (!row && !changes.street) ctx.fail(Errors.notBlank(`${input.pointer}/attributes/street`));
  if (!row && !changes.country) ctx.failMissing(`${input.pointer}/relationships/country/data`);
  if (ctx.errors.length > mark) return undefined;
  const now = ctx.state.now();
  if (row) return table.update(row.id, { ...changes, updatedAt: now });
  return table.insert({
    id: ctx.state.nextId(table.name), customerUserId: null, label: null, street: null, street2: null, city: null, postalCode: null,
    organization: null, namePrefix: null, firstName: null, middleName: null, lastName: null, nameSuffix: null, phone: null,
    customRegion: null, country: null, region: null, ...changes, createdAt: now, updatedAt: now,
  });
}
