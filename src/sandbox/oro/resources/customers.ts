// Customers (§8.6): `customers` (a tree with groups; `updatedAt` filter enabled), `customergroups`,
// `customerusers` (unique e-mail; no `updatedAt` filter — Simulator default), the read-only
// `customeruserroles`, and `paymentterms`.
import { Errors } from '../errors.js';
import type { CustomerGroupRow, CustomerRow, CustomerUserRoleRow, CustomerUserRow, PaymentTermRow } from '../model.js';
import { CRUD_AND_BATCH, FULL_CRUD, READ_ONLY, defineResource, type ResourceDef } from '../resource.js';
import type { ResourceInput, WriteContext } from '../write-context.js';
import { attr, datetime, idFilter, none, ownedBy, relationFilter, sortBy, stringFilter, timestampFilter, toMany, toOne } from './fields.js';

export function customersResource(): ResourceDef<CustomerRow> {
  return defineResource<CustomerRow>({
    type: 'customers',
    table: (state) => state.customers,
    actions: CRUD_AND_BATCH,
    // `name` is not unique in Oro; the sandbox still allows an upsert by it, which is how a
    // client meets the 409 of an ambiguous upsert
    upsert: [['externalId'], ['name']],
    attributes: {
      name: attr((c) => c.name),
      createdAt: datetime((c) => c.createdAt),
      updatedAt: datetime((c) => c.updatedAt),
      externalId: attr((c) => c.externalId),
    },
    relationships: {
      parent: toOne('customers', (c) => c.parentId),
      children: toMany('customers', (c, ctx) => ctx.state.customersByParent.get(c.id)),
      group: toOne('customergroups', (c) => c.groupId),
      users: toMany('customerusers', (c, ctx) => ctx.state.customerUsersByCustomer.get(c.id)),
      ...ownedBy<CustomerRow>('users'),
      salesRepresentatives: toMany('users', (c) => c.salesRepresentativeIds),
      internal_rating: toOne('customerratings', (c) => c.internalRating),
      paymentTerm: toOne('paymentterms', (c) => c.paymentTermId),
      taxCode: none('customertaxcodes', false),
      addresses: none('customeraddresses', true),
    },
    filters: {
      id: idFilter(),
      name: stringFilter((c) => c.name, { caseInsensitive: true, group: (ctx) => ({ get: (name: string) => ctx.state.customersByName.get(name) }) }),
      externalId: stringFilter((c) => c.externalId, { array: true }),
      parent: relationFilter('customers', (c) => c.parentId, (ctx) => ctx.state.customersByParent),
      group: relationFilter('customergroups', (c) => c.groupId),
      createdAt: timestampFilter((c) => c.createdAt, (ctx) => ctx.state.customersByCreatedAt, 'createdAt'),
      updatedAt: timestampFilter((c) => c.updatedAt, (ctx) => ctx.state.customersByUpdatedAt, 'updatedAt'),
    },
    sorts: { name: sortBy((c) => c.name), createdAt: sortBy((c) => c.createdAt), updatedAt: sortBy((c) => c.updatedAt) },
    title: (c) => c.name,
    create: (input, ctx) => writeCustomer(undefined, input, ctx),
    update: (row, input, ctx) => writeCustomer(row, input, ctx),
    remove: (row, ctx) => {
      for (const id of [...ctx.state.customerUsersByCustomer.get(row.id)]) ctx.state.customerUsers.delete(id);
      for (const id of [...ctx.state.customerLinksByCustomer.get(row.id)]) ctx.state.customerLinks.delete(id);
      for (const id of [...ctx.state.customersByParent.get(row.id)]) ctx.state.customers.update(id, { parentId: null });
      ctx.state.customers.delete(row.id);
    },
    findForUpsert: (fields, input, ctx) => {
      if (fields[0] === 'name') {
        const name = ctx.string(input, 'name');
        return typeof name === 'string' ? ctx.state.customersByName.get(name.toLowerCase()).map((id) => ctx.state.customers.get(id)!).filter((c) => c.name === name) : [];
      }
      const externalId = ctx.string(input, 'externalId');
      return typeof externalId === 'string' ? [...ctx.state.customers.rows()].filter((c) => c.externalId === externalId) : [];
    },
  });
}

function writeCustomer(row: CustomerRow | undefined, input: ResourceInput, ctx: WriteContext): CustomerRow | undefined {
  ctx.rejectUnknown(input, ['name', 'externalId', 'createdAt', 'updatedAt'], ['parent', 'children', 'group', 'users', 'owner', 'organization', 'salesRepresentatives', 'internal_rating', 'paymentTerm', 'taxCode', 'addresses']);
  const mark = ctx.errors.length;
  const changes: { -readonly [K in keyof CustomerRow]?: CustomerRow[K] } = {};
  const name = ctx.string(input, 'name', { required: !row || ctx.has(input, 'name'), maxLength: 255 });
  if (name) changes.name = name;
  const externalId = ctx.string(input, 'externalId', { maxLength: 255 });
  if (externalId !== undefined) changes.externalId = externalId === '' ? null : externalId;
  if (changes.externalId && [...ctx.state.customers.rows()].some((c) => c.id !== row?.id && c.externalId === changes.externalId)) {
    ctx.fail(Errors.unique(`${input.pointer}/attributes/externalId`));
  }
  const parent = ctx.toOne(input, 'parent', 'customers');
  if (parent !== undefined) changes.parentId = parent as number | null;
  if (row && parent === row.id) ctx.fail(Errors.invalidValue(`${input.pointer}/relationships/parent/data`));
  const group = ctx.toOne(input, 'group', 'customergroups');
  if (group !== undefined) changes.groupId = group as number | null;
  const term = ctx.toOne(input, 'paymentTerm', 'paymentterms');
  if (term !== undefined) changes.paymentTermId = term as number | null;
  const rating = ctx.toOne(input, 'internal_rating', 'customerratings');
  if (rating !== undefined) changes.internalRating = rating as string | null;
  const representatives = ctx.toMany(input, 'salesRepresentatives', 'users');
  if (representatives) changes.salesRepresentativeIds = representatives as number[];
  for (const name of ['owner', 'organization', 'taxCode'] as const) ctx.toOne(input, name, name === 'owner' ? 'users' : name === 'organization' ? 'organizations' : 'customertaxcodes');
  ctx.toMany(input, 'children', 'customers');
  ctx.toMany(input, 'users', 'customerusers');
  ctx.toMany(input, 'addresses', 'customeraddresses');
  if (ctx.errors.length > mark) return undefined;
  const now = ctx.state.now();
  if (row) {
    const updated = ctx.state.customers.update(row.id, { ...changes, updatedAt: now });
    ctx.changed('customers', row.id, 'updated');
    return updated;
  }
  const created = ctx.state.customers.insert({
    id: ctx.state.nextId('customers'), name: name!, parentId: null, groupId: null, paymentTermId: null, internalRating: null,
    salesRepresentativeIds: [], externalId: null, ownerId: 1, organizationId: 1, ...changes, createdAt: now, updatedAt: now,
  });
  ctx.changed('customers', created.id, 'created');
  return created;
}

export function customerGroupsResource(): ResourceDef<CustomerGroupRow> {
  return defineResource<CustomerGroupRow>({
    type: 'customergroups',
    table: (state) => state.customerGroups,
    actions: FULL_CRUD,
    attributes: { name: attr((g) => g.name) },
    relationships: { ...ownedBy<CustomerGroupRow>('users'), paymentTerm: toOne('paymentterms', (g) => g.paymentTermId), taxCode: none('customertaxcodes', false) },
    filters: { id: idFilter(), name: stringFilter((g) => g.name) },
    sorts: { name: sortBy((g) => g.name) },
    title: (g) => g.name,
    create: (input, ctx) => writeGroup(undefined, input, ctx),
    update: (row, input, ctx) => writeGroup(row, input, ctx),
    remove: (row, ctx) => {
      for (const id of [...ctx.state.groupLinksByGroup.get(row.id)]) ctx.state.groupLinks.delete(id);
      for (const customer of [...ctx.state.customers.rows()]) if (customer.groupId === row.id) ctx.state.customers.update(customer.id, { groupId: null });
      ctx.state.customerGroups.delete(row.id);
    },
  });
}

function writeGroup(row: CustomerGroupRow | undefined, input: ResourceInput, ctx: WriteContext): CustomerGroupRow | undefined {
  ctx.rejectUnknown(input, ['name'], ['owner', 'organization', 'paymentTerm', 'taxCode']);
  const mark = ctx.errors.length;
  const name = ctx.string(input, 'name', { required: !row || ctx.has(input, 'name'), maxLength: 255 });
  if (name && [...ctx.state.customerGroups.rows()].some((g) => g.id !== row?.id && g.name === name)) ctx.fail(Errors.unique(`${input.pointer}/attributes/name`));
  const term = ctx.toOne(input, 'paymentTerm', 'paymentterms');
  ctx.toOne(input, 'owner', 'users');
  ctx.toOne(input, 'organization', 'organizations');
  ctx.toOne(input, 'taxCode', 'customertaxcodes');
  if (ctx.errors.length > mark) return undefined;
  const changes = { ...(name ? { name } : {}), ...(term !== undefined ? { paymentTermId: term as number | null } : {}) };
  if (row) return ctx.state.customerGroups.update(row.id, changes);
  return ctx.state.customerGroups.insert({ id: ctx.state.nextId('customergroups'), name: name!, paymentTermId: null, ownerId: 1, organizationId: 1, ...changes });
}

const USER_TEXT = ['firstName', 'lastName', 'namePrefix', 'middleName', 'nameSuffix'] as const;

export function customerUsersResource(): ResourceDef<CustomerUserRow> {
  return defineResource<CustomerUserRow>({
    type: 'customerusers',
    table: (state) => state.customerUsers,
    actions: CRUD_AND_BATCH,
    upsert: [['email']],
    attributes: {
      confirmed: attr((u) => u.confirmed),
      email: attr((u) => u.email),
      namePrefix: attr((u) => u.namePrefix),
      firstName: attr((u) => u.firstName),
      middleName: attr((u) => u.middleName),
      lastName: attr((u) => u.lastName),
      nameSuffix: attr((u) => u.nameSuffix),
      birthday: attr((u) => u.birthday),
      createdAt: datetime((u) => u.createdAt),
      updatedAt: datetime((u) => u.updatedAt),
      enabled: attr((u) => u.enabled),
      loginCount: attr(() => 0),
      isGuest: attr((u) => u.isGuest),
      lastLogin: attr(() => null),
      passwordRequestedAt: attr(() => null),
      passwordChangedAt: attr(() => null),
      externalId: attr((u) => u.externalId),
    },
    relationships: {
      userRoles: toMany('customeruserroles', (u) => u.roleIds),
      customer: toOne('customers', (u) => u.customerId),
      addresses: toMany('customeruseraddresses', (u, ctx) => ctx.state.addressesByCustomerUser.get(u.id)),
      owner: toOne('users', (u) => u.ownerId),
      salesRepresentatives: toMany('users', (u) => u.salesRepresentativeIds),
      organization: toOne('organizations', (u) => u.organizationId),
    },
    // no `updatedAt` filter: not indexed upstream (Simulator default, §8.6)
    filters: {
      id: idFilter(),
      email: stringFilter((u) => u.email, { caseInsensitive: true, array: true, unique: (ctx) => ctx.state.customerUsersByEmail }),
      customer: relationFilter('customers', (u) => u.customerId, (ctx) => ctx.state.customerUsersByCustomer),
      externalId: stringFilter((u) => u.externalId, { array: true }),
    },
    sorts: { email: sortBy((u) => u.email.toLowerCase()) },
    title: (u) => `${u.firstName} ${u.lastName}`,
    create: (input, ctx) => writeCustomerUser(undefined, input, ctx),
    update: (row, input, ctx) => writeCustomerUser(row, input, ctx),
    remove: (row, ctx) => {
      for (const id of [...ctx.state.addressesByCustomerUser.get(row.id)]) ctx.state.customerUserAddresses.delete(id);
      ctx.state.customerUsers.delete(row.id);
    },
    findForUpsert: (_fields, input, ctx) => {
      const email = ctx.string(input, 'email');
      const found = typeof email === 'string' ? ctx.state.customerUserByEmail(email) : undefined;
      return found ? [found] : [];
    },
  });
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function writeCustomerUser(row: CustomerUserRow | undefined, input: ResourceInput, ctx: WriteContext): CustomerUserRow | undefined {
  ctx.rejectUnknown(input, ['email', ...USER_TEXT, 'birthday', 'enabled', 'confirmed', 'password', 'isGuest', 'externalId', 'createdAt', 'updatedAt', 'loginCount', 'lastLogin', 'passwordRequestedAt', 'passwordChangedAt'],
    ['userRoles', 'customer', 'addresses', 'owner', 'salesRepresentatives', 'organization']);
  const mark = ctx.errors.length;
  const pointer = (name: string): string => `${input.pointer}/attributes/${name}`;
  const changes: { -readonly [K in keyof CustomerUserRow]?: CustomerUserRow[K] } = {};
  const email = ctx.string(input, 'email', { required: !row || ctx.has(input, 'email'), maxLength: 255 });
  if (email && !EMAIL.test(email)) ctx.fail(Errors.validation('email constraint', 'This value is not a valid email address.', { pointer: pointer('email') }));
  else if (email) {
    const other = ctx.state.customerUserByEmail(email);
    if (other && other.id !== row?.id) ctx.fail(Errors.unique(pointer('email'), 'This email is already used.'));
    else changes.email = email;
  }
  for (const name of USER_TEXT) {
    const required = (name === 'firstName' || name === 'lastName') && (!row || ctx.has(input, name));
    const value = ctx.string(input, name, { required, maxLength: 255 });
    if (value !== undefined) changes[name] = value === '' ? null as never : value as never;
  }
  const birthday = ctx.date(input, 'birthday');
  if (birthday !== undefined) changes.birthday = birthday;
  for (const flag of ['enabled', 'confirmed', 'isGuest'] as const) {
    const value = ctx.boolean(input, flag);
    if (value !== undefined) changes[flag] = value;
  }
  if (row && ctx.has(input, 'password')) ctx.fail(Errors.extraFields(pointer('password'), 'password'));
  const externalId = ctx.string(input, 'externalId', { maxLength: 255 });
  if (externalId !== undefined) changes.externalId = externalId === '' ? null : externalId;
  const customer = ctx.toOne(input, 'customer', 'customers');
  if (customer !== undefined && customer !== null) changes.customerId = customer as number;
  else if (!row || customer === null) ctx.failMissing(`${input.pointer}/relationships/customer/data`);
  const roles = ctx.toMany(input, 'userRoles', 'customeruserroles');
  if (roles) changes.roleIds = roles as number[];
  const enabled = changes.enabled ?? row?.enabled ?? true;
  if (enabled && (changes.roleIds ?? row?.roleIds ?? []).length === 0) ctx.failMissing(`${input.pointer}/relationships/userRoles/data`);
  const representatives = ctx.toMany(input, 'salesRepresentatives', 'users');
  if (representatives) changes.salesRepresentativeIds = representatives as number[];
  ctx.toOne(input, 'owner', 'users');
  ctx.toOne(input, 'organization', 'organizations');
  ctx.toMany(input, 'addresses', 'customeruseraddresses');
  if (ctx.errors.length > mark) return undefined;
  const now = ctx.state.now();
  if (row) return ctx.state.customerUsers.update(row.id, { ...changes, updatedAt: now });
  return ctx.state.customerUsers.insert({
    id: ctx.state.nextId('customerusers'), email: email!, firstName: '', lastName: '', namePrefix: null, middleName: null, nameSuffix: null,
    birthday: null, enabled: true, confirmed: true, isGuest: false, customerId: 0, roleIds: [], salesRepresentativeIds: [], externalId: null,
    ownerId: 1, organizationId: 1, ...changes, createdAt: now, updatedAt: now,
  });
}

export function customerUserRolesResource(): ResourceDef<CustomerUserRoleRow> {
  return defineResource<CustomerUserRoleRow>({
    type: 'customeruserroles',
    table: (state) => state.customerUserRoles,
    actions: READ_ONLY,
    attributes: { role: attr((r) => r.role), label: attr((r) => r.label), selfManaged: attr(() => true), public: attr(() => true) },
    relationships: { organization: toOne('organizations', () => 1) },
    filters: { id: idFilter(), role: stringFilter((r) => r.role) },
    sorts: {},
    title: (r) => r.label,
  });
}

export function paymentTermsResource(): ResourceDef<PaymentTermRow> {
  return defineResource<PaymentTermRow>({
    type: 'paymentterms',
    table: (state) => state.paymentTerms,
    actions: FULL_CRUD,
    attributes: { label: attr((t) => t.label) },
    relationships: {},
    filters: { id: idFilter(), label: stringFilter((t) => t.label) },
    sorts: { label: sortBy((t) => t.label) },
    title: (t) => t.label,
    create: (input, ctx) => writeTerm(undefined, input, ctx),
    update: (row, input, ctx) => writeTerm(row, input, ctx),
  });
}

function writeTerm(row: PaymentTermRow | undefined, input: ResourceInput, ctx: WriteContext): PaymentTermRow | undefined {
  ctx.rejectUnknown(input, ['label'], []);
  const label = ctx.string(input, 'label', { required: !row || ctx.has(input, 'label'), maxLength: 255 });
  if (!label) return row;
  if (row) return ctx.state.paymentTerms.update(row.id, { label });
  return ctx.state.paymentTerms.insert({ id: ctx.state.nextId('paymentterms'), label });
}
