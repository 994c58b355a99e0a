// Customers with their nested Contact (§9): the Contact is written inside the Customer body, its
// empty sub-collections render as `""`, noEmail/noPhone/noMail default to true for new customers.
// DELETE archives (the CreditAccount too); Anonymize also wipes personal data.
import { collection, isObject, readBool, readString } from './encoding.js';
import { ApiError } from './errors.js';
import * as E from './entities.js';
import type { Row } from './model.js';
import { NO_RELATIONS, type RelationTree } from './render.js';
import { num, type ContactDoc, type Store } from './store.js';
import { checkForeignKey, readFields, type WriteContext } from './writes.js';

export const CUSTOMER_WRITE_RELATIONS: RelationTree = { all: false, children: new Map([['Contact', NO_RELATIONS]]) };

const CUSTOMER_FIELDS = ['firstName', 'lastName', 'dob', 'title', 'company', 'companyRegistrationNumber', 'vatNumber', 'customerTypeID', 'discountID',
  'taxCategoryID', 'employeeID'];
const PHONE_TYPES = ['Home', 'Work', 'Mobile', 'Pager', 'Fax'];
const EMAIL_TYPES = ['Primary', 'Secondary'];

export function createCustomer(ctx: WriteContext, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const fields = readFields(E.Customer, body, CUSTOMER_FIELDS, 'create', 'created');
  checkReferences(store, fields, 'Customer not created.');
  if (![fields.firstName, fields.lastName, fields.company].some((v) => typeof v === 'string' && v.trim() !== '')) {
    throw new ApiError(400, 'Customer not created. A Customer must have a firstName, lastName or company.');
  }
  const contact = readContact(isObject(body.Contact) ? body.Contact : {}, undefined, now);
  const customerId = store.customers.nextId();
  const contactId = store.putContact(contact);
  return store.customers.insert(store.blank(E.Customer, { customerID: customerId, ...fields, contactID: contactId, createTime: now, timeStamp: now }));
}

export function updateCustomer(ctx: WriteContext, customer: Row, body: Record<string, unknown>): Row {
  const { store, now } = ctx;
  const fields = readFields(E.Customer, body, CUSTOMER_FIELDS, 'update', 'updated');
  checkReferences(store, fields, 'Customer not updated.');
  const unarchive = body.archived === false || body.archived === 'false' || body.archived === 0 || body.archived === '0';
  if (isObject(body.Contact)) {
    const existing = store.contacts.get(num(customer, 'contactID'));
    const contact = readContact(body.Contact, existing, now);
    store.putContact(contact, num(customer, 'contactID') || store.nextContactId());
    fields.contactID = num(contact.row, 'contactID');
  }
  store.customers.patch(num(customer, 'customerID'), { ...fields, ...(unarchive ? { archived: false } : {}), timeStamp: now });
  return customer;
}

export function archiveCustomer(ctx: WriteContext, customer: Row): Row {
  const { store, now } = ctx;
  if (customer.archived !== true) store.customers.patch(num(customer, 'customerID'), { archived: true, timeStamp: now });
  const creditAccountId = num(customer, 'creditAccountID');
  if (creditAccountId && store.creditAccounts.has(creditAccountId)) store.creditAccounts.patch(creditAccountId, { archived: true, timeStamp: now });
  return customer;
}

/** DELETE /Customer/{id}/Anonymize: archived, and nothing personal left. */
export function anonymizeCustomer(ctx: WriteContext, customer: Row): Row {
  const { store, now } = ctx;
  archiveCustomer(ctx, customer);
  store.customers.patch(num(customer, 'customerID'), {
    firstName: '', lastName: '', dob: null, title: '', company: '', companyRegistrationNumber: '', vatNumber: '', timeStamp: now,
  });
  const contact = store.contacts.get(num(customer, 'contactID'));
  if (contact) Object.assign(contact, { addresses: [], phones: [], emails: [], websites: [] });
  return customer;
}

function checkReferences(store: Store, fields: Record<string, unknown>, verb: string): void {
  checkForeignKey(store.customerTypes, fields.customerTypeID as number | undefined, 'CustomerType', verb);
  checkForeignKey(store.discounts, fields.discountID as number | undefined, 'Discount', verb);
  checkForeignKey(store.taxCategories, fields.taxCategoryID as number | undefined, 'TaxCategory', verb);
  checkForeignKey(store.employees, fields.employeeID as number | undefined, 'Employee', verb);
}

/** A Contact from a request; sub-collections that are sent replace the stored ones. */
export function readContact(raw: Record<string, unknown>, existing: ContactDoc | undefined, now: number): ContactDoc {
  const flag = (name: string, fallback: boolean): boolean => readBool(raw[name]) ?? (existing ? existing.row[name] === true : fallback);
  const row: Row = {
    contactID: existing?.row.contactID ?? 0, custom: readString(raw.custom) ?? (existing?.row.custom ?? ''),
    // new customers default to "no email/phone/mail" unless told otherwise (§9)
    noEmail: flag('noEmail', true), noPhone: flag('noPhone', true), noMail: flag('noMail', true), timeStamp: now,
  };
  return {
    row,
    addresses: 'Addresses' in raw ? collection(raw.Addresses, 'ContactAddress').map(readAddress) : existing?.addresses ?? [],
    phones: 'Phones' in raw ? collection(raw.Phones, 'ContactPhone').map(readPhone) : existing?.phones ?? [],
    emails: 'Emails' in raw ? collection(raw.Emails, 'ContactEmail').map(readEmail) : existing?.emails ?? [],
    websites: 'Websites' in raw ? collection(raw.Websites, 'ContactWebsite').map((w) => ({ url: readString(w.url) ?? '' })) : existing?.websites ?? [],
  };
}

function readAddress(raw: Record<string, unknown>): Row {
  const row: Row = {};
  for (const field of E.ContactAddress.fields) row[field.name] = readString(raw[field.name]) ?? '';
  return row;
}

function readPhone(raw: Record<string, unknown>): Row {
  const useType = readString(raw.useType) ?? 'Home';
  if (!PHONE_TYPES.includes(useType)) throw new ApiError(422, `Contact not saved. Phone useType must be one of ${PHONE_TYPES.join(', ')}.`);
  return { number: readString(raw.number) ?? '', useType };
}

function readEmail(raw: Record<string, unknown>): Row {
  const useType = readString(raw.useType) ?? 'Primary';
  if (!EMAIL_TYPES.includes(useType)) throw new ApiError(422, `Contact not saved. Email useType must be one of ${EMAIL_TYPES.join(', ')}.`);
  return { address: readString(raw.address) ?? '', useType };
}

// ---- CustomerType ---------------------------------------------------------------------------------

export function createCustomerType(ctx: WriteContext, body: Record<string, unknown>): Row {
  const { store } = ctx;
  const fields = readFields(E.CustomerType, body, ['name', 'taxCategoryID', 'discountID'], 'create', 'created');
  if (typeof fields.name !== 'string' || fields.name.trim() === '') throw new ApiError(400, 'CustomerType not created. name cannot be blank.');
  checkForeignKey(store.taxCategories, fields.taxCategoryID, 'TaxCategory', 'CustomerType not created.');
  checkForeignKey(store.discounts, fields.discountID, 'Discount', 'CustomerType not created.');
  return store.customerTypes.insert(store.blank(E.CustomerType, { customerTypeID: store.customerTypes.nextId(), ...fields }));
}

export function updateCustomerType(ctx: WriteContext, row: Row, body: Record<string, unknown>): Row {
  const { store } = ctx;
  const fields = readFields(E.CustomerType, body, ['name', 'taxCategoryID', 'discountID'], 'update', 'updated');
  if (fields.name !== undefined && (typeof fields.name !== 'string' || fields.name.trim() === '')) throw new ApiError(400, 'CustomerType not updated. name cannot be blank.');
  checkForeignKey(store.taxCategories, fields.taxCategoryID, 'TaxCategory', 'CustomerType not updated.');
  checkForeignKey(store.discounts, fields.discountID, 'Discount', 'CustomerType not updated.');
  return store.customerTypes.patch(num(row, 'customerTypeID'), fields);
}

/** CustomerType is really deleted (§0 item 17). */
export function deleteCustomerType(ctx: WriteContext, row: Row): Row {
  ctx.store.customerTypes.remove(num(row, 'customerTypeID'));
  return row;
}
