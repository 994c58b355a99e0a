// Small reference types the API links to and serves read-only: users, organizations, business
// units, websites, enums (inventory statuses, order statuses, ratings), countries and regions,
// attribute families, categories, localizations (creatable, for localized values in tests).
import { Errors } from '../errors.js';
import type { ReferenceRow } from '../model.js';
import { READ_ONLY, defineResource, type Action, type RelationshipDef, type ResourceDef } from '../resource.js';
import type { ResourceInput, WriteContext } from '../write-context.js';
import { attr, idFilter, toOne } from './fields.js';

interface ReferenceOptions {
  readonly attributes: readonly string[];
  readonly relationships?: Readonly<Record<string, RelationshipDef<ReferenceRow>>>;
  /** String ids (enum options, codes) instead of integers. */
  readonly codes?: boolean;
  /** Attributes a POST must carry; a type with these is creatable. */
  readonly creatable?: readonly string[];
}

export function referenceResource(type: string, options: ReferenceOptions): ResourceDef<ReferenceRow> {
  const actions: ReadonlySet<Action> = options.creatable ? new Set(['get', 'get_list', 'create', 'update']) : READ_ONLY;
  const def: ResourceDef<ReferenceRow> = {
    type,
    table: (state) => state.reference(type),
    actions,
    attributes: Object.fromEntries(options.attributes.map((name) => [name, attr((r: ReferenceRow) => r.attributes[name] ?? null)])),
    relationships: options.relationships ?? {},
    filters: options.codes ? { id: { kind: 'string', array: true, value: (r) => String(r.id) } } : { id: idFilter() },
    sorts: {},
    title: (r) => String(r.attributes.name ?? r.attributes.label ?? r.id),
  };
  if (!options.creatable) return defineResource({ ...def, ...(options.codes ? { clientIds: true } : {}) });
  return defineResource({
    ...def,
    create: (input, ctx) => writeReference(type, options, undefined, input, ctx),
    update: (row, input, ctx) => writeReference(type, options, row, input, ctx),
  });
}

function writeReference(type: string, options: ReferenceOptions, row: ReferenceRow | undefined, input: ResourceInput, ctx: WriteContext): ReferenceRow | undefined {
  ctx.rejectUnknown(input, options.attributes, Object.keys(options.relationships ?? {}));
  const mark = ctx.errors.length;
  const attributes: Record<string, unknown> = { ...row?.attributes };
  for (const name of options.attributes) {
    const required = !row && (options.creatable ?? []).includes(name);
    if (!ctx.has(input, name)) {
      if (required) ctx.fail(Errors.notBlank(`${input.pointer}/attributes/${name}`));
      continue;
    }
    attributes[name] = input.attributes[name];
  }
  if (ctx.errors.length > mark) return undefined;
  const table = ctx.state.reference(type);
  if (row) return table.update(row.id, { attributes });
  return table.insert({ id: ctx.state.nextId(type), attributes: { ...Object.fromEntries(options.attributes.map((n) => [n, null])), ...attributes } });
}

/** Every reference type the sandbox serves, with the attributes it shows. */
export function referenceResources(): ResourceDef<ReferenceRow>[] {
  const organization = { organization: toOne<ReferenceRow>('organizations', () => 1) };
  return [
    referenceResource('users', { attributes: ['username', 'email', 'firstName', 'middleName', 'lastName', 'enabled'], relationships: { owner: toOne('businessunits', () => 1), ...organization } }),
    referenceResource('organizations', { attributes: ['name', 'enabled'] }),
    referenceResource('businessunits', { attributes: ['name'], relationships: organization }),
    referenceResource('websites', { attributes: ['name', 'default'], relationships: organization }),
    referenceResource('localizations', { attributes: ['name', 'title', 'formattingCode', 'languageCode'], creatable: ['name', 'formattingCode'] }),
    referenceResource('attributefamilies', { attributes: ['code', 'entityClass', 'isEnabled'] }),
    referenceResource('categories', { attributes: ['title'], relationships: organization }),
    referenceResource('prodinventorystatuses', { attributes: ['name', 'priority', 'default'], codes: true }),
    referenceResource('orderinternalstatuses', { attributes: ['name', 'priority', 'default'], codes: true }),
    referenceResource('ordershippingstatuses', { attributes: ['name', 'priority', 'default'], codes: true }),
    referenceResource('orderstatuses', { attributes: ['name', 'priority', 'default'], codes: true }),
    referenceResource('customerratings', { attributes: ['name', 'priority', 'default'], codes: true }),
    referenceResource('countries', { attributes: ['name', 'iso3Code'], codes: true }),
    referenceResource('regions', { attributes: ['name', 'code'], codes: true, relationships: { country: toOne('countries', (r) => String(r.id).split('-')[0] ?? null) } }),
    referenceResource('webhookformats', { attributes: ['label'], codes: true }),
  ];
}
