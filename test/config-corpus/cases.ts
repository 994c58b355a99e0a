// The corpus of broken configurations: each case is a client folder with one mistake a consultant
// makes, and the exact lines `storelink validate` must print for it (file:line:col path: problem. hint).

export interface CorpusCase {
  readonly name: string;
  /** Files of the client folder, relative to it; replaces the base files of the same name. */
  readonly files: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, string>>;
  /** Extra command-line arguments after `validate .`. */
  readonly args?: readonly string[];
  /** The exact stderr lines, without the closing "✘ N problems" line. */
  readonly expect: readonly string[];
}

export const BASE_CLIENT = `client: Test Client
systems:
  oro:
    connector: oro
    url: http://127.0.0.1:1
    clientId: storelink
    clientSecret: \${ORO_SECRET:-corpus-oro-secret}
  lightspeed:
    connector: lightspeed-r
    url: http://127.0.0.1:2
    clientId: storelink
    clientSecret: corpus-ls-secret
    refreshToken: corpus-refresh
lookups:
  units:
    each: item
flows:
  - file: flows/stock.yaml
`;

export const BASE_FLOW = `name: stock
source:
  system: lightspeed
  entity: Item
target:
  system: oro
  entity: inventorylevels
match:
  on: [sku, unit]
transform: |
  {
    "sku": customSku,
    "unit": $valueMap("units", "each"),
    "quantity": $sum(itemShops.qoh)
  }
schedule: "*/5 * * * *"
`;

const flow = (edit: (text: string) => string): Record<string, string> => ({ 'flows/stock.yaml': edit(BASE_FLOW) });
const client = (edit: (text: string) => string): Record<string, string> => ({ 'client.yaml': edit(BASE_CLIENT) });

export const CASES: readonly CorpusCase[] = [
  {
    name: 'bad indentation in client.yaml',
    files: client((t) => t.replace('    url: http://127.0.0.1:1', '   url: http://127.0.0.1:1')),
    expect: [
      "error SL_CONFIG_YAML client.yaml:5:1 all mapping items must start at the same column. Check the indentation: keys of one mapping start in the same column."
    ],
  },
  {
    name: 'tab used for indentation',
    files: client((t) => t.replace('    clientId: storelink\n    clientSecret: ${ORO', '\tclientId: storelink\n    clientSecret: ${ORO')),
    expect: [
      "error SL_CONFIG_YAML client.yaml:6:1 tabs are not allowed as indentation. Indent with spaces, not tabs."
    ],
  },
  {
    name: 'unclosed flow sequence',
    files: flow((t) => t.replace('on: [sku, unit]', 'on: [sku, unit')),
    expect: [
      "error SL_CONFIG_YAML flows/stock.yaml:10:1 flow sequence in block collection must be sufficiently indented and end with a ]. Close the bracket or quote that was opened before this point."
    ],
  },
  {
    name: 'unquoted cron expression read as an alias',
    files: flow((t) => t.replace('schedule: "*/5 * * * *"', 'schedule: */5 * * * *')),
    expect: [
      "error SL_CONFIG_YAML flows/stock.yaml:16:15 unexpected alias at node end. A value that starts with * is read as a YAML alias: quote it, e.g. schedule: \"*/15 * * * *\"."
    ],
  },
  {
    name: 'duplicate key in a flow file',
    files: flow((t) => `${t}schedule: "0 * * * *"\n`),
    expect: [
      "error SL_CONFIG_DUPLICATE_KEY flows/stock.yaml:17:1 schedule: duplicate key \"schedule\"; the first is at line 16. Remove one of them: YAML would silently keep only one value."
    ],
  },
  {
    name: 'two YAML documents in one flow file',
    files: flow((t) => `${t}---\nname: other\n`),
    expect: [
      "error SL_CONFIG_MULTI_DOCUMENT flows/stock.yaml:17:1 a second YAML document starts here (`---`). Keep one document per file: put each flow in its own file."
    ],
  },
  {
    name: 'empty client.yaml',
    files: { 'client.yaml': '# to do\n' },
    expect: [
      "error SL_CONFIG_INVALID client.yaml:1:1 the file is empty. Write the configuration as a YAML mapping."
    ],
  },
  {
    name: 'client.yaml is a list',
    files: { 'client.yaml': '- client: Test\n' },
    expect: [
      "error SL_CONFIG_INVALID client.yaml:1:1 client.yaml must be a mapping with client, systems and flows."
    ],
  },
  {
    name: 'misspelt top-level key in client.yaml',
    files: client((t) => `${t}timezon: Europe/Amsterdam\n`),
    expect: [
      "error SL_CONFIG_UNKNOWN_KEY client.yaml:19:1 timezon: unknown key \"timezon\". Did you mean \"timezone\"? Allowed keys: client, timezone, systems, state, lookups, defaults, exceptions, service, flows."
    ],
  },
  {
    name: 'misspelt key in a flow',
    files: flow((t) => t.replace('schedule:', 'scheduel:')),
    expect: [
      "error SL_CONFIG_UNKNOWN_KEY flows/stock.yaml:16:1 scheduel: unknown key \"scheduel\". Did you mean \"schedule\"? Allowed keys: name, description, enabled, params, source, related, target, match, transform, strict, ownership, schedule, reconcile, triggers, policies, limits."
    ],
  },
  {
    name: 'wrong type: a string for a boolean',
    files: flow((t) => `${t}enabled: "yes"\n`),
    expect: [
      "error SL_CONFIG_INVALID flows/stock.yaml:17:10 enabled: expected a boolean, got \"yes\"."
    ],
  },
  {
    name: 'missing required target',
    files: flow((t) => t.replace('target:\n  system: oro\n  entity: inventorylevels\n', '')),
    expect: [
      "error SL_CONFIG_INVALID flows/stock.yaml:1:1 missing required key \"target\". target: Where the flow writes its records."
    ],
  },
  {
    name: 'environment variable not set',
    files: client((t) => t.replace('${ORO_SECRET:-corpus-oro-secret}', '${ORO_SECRET}')),
    expect: [
      "error SL_CONFIG_ENV_MISSING client.yaml:7:19 systems.oro.clientSecret: environment variable ORO_SECRET is not set. Set ORO_SECRET in the environment, in .env beside client.yaml or in a file passed with --env-file, or write ${ORO_SECRET:-default}."
    ],
  },
  {
    name: 'malformed variable reference',
    files: client((t) => t.replace('${ORO_SECRET:-corpus-oro-secret}', '${ORO SECRET}')),
    expect: [
      "error SL_CONFIG_INVALID client.yaml:7:19 systems.oro.clientSecret: \"${ORO SECRET}\" is not a valid variable reference. Names use letters, digits and _ and do not start with a digit: ${ORO_CLIENT_SECRET} or ${NAME:-default}."
    ],
  },
  {
    name: 'cron with four fields',
    files: flow((t) => t.replace('"*/5 * * * *"', '"*/5 * * *"')),
    expect: [
      "error SL_CONFIG_CRON flows/stock.yaml:16:11 schedule: invalid cron expression \"*/5 * * *\": expected 5 or 6 fields but got 4. Five fields: minute hour day-of-month month day-of-week, e.g. \"*/15 * * * *\" (every 15 minutes)."
    ],
  },
  {
    name: 'cron with an impossible hour',
    files: flow((t) => t.replace('"*/5 * * * *"', '"0 25 * * *"')),
    expect: [
      "error SL_CONFIG_CRON flows/stock.yaml:16:11 schedule: invalid cron expression \"0 25 * * *\": 25 is not a valid expression for hour. Five fields: minute hour day-of-month month day-of-week, e.g. \"*/15 * * * *\" (every 15 minutes)."
    ],
  },
  {
    name: 'bad cron in client defaults',
    files: client((t) => `${t}defaults:\n  schedule: "every 5 minutes"\n`),
    expect: [
      "error SL_CONFIG_CRON client.yaml:20:13 defaults.schedule: invalid cron expression \"every 5 minutes\": expected 5 or 6 fields but got 3. Five fields: minute hour day-of-month month day-of-week, e.g. \"*/15 * * * *\"."
    ],
  },
  {
    name: 'JSONata: missing comma between fields',
    files: flow((t) => t.replace('"sku": customSku,', '"sku": customSku')),
    expect: [
      "error SL_CONFIG_JSONATA flows/stock.yaml:13:5 transform: JSONata syntax error: expected \"}\", got \"unit\". Check for a missing comma, bracket or parenthesis just before this point."
    ],
  },
  {
    name: 'JSONata: unclosed parenthesis',
    files: flow((t) => t.replace('$sum(itemShops.qoh)', '$sum(itemShops.qoh')),
    expect: [
      "error SL_CONFIG_JSONATA flows/stock.yaml:15:3 transform: JSONata syntax error: expected \")\", got \"}\". Check for a missing comma, bracket or parenthesis just before this point."
    ],
  },
  {
    name: 'JSONata: unterminated string',
    files: flow((t) => t.replace('"unit": $valueMap', '"unit: $valueMap')),
    expect: [
      "error SL_CONFIG_JSONATA flows/stock.yaml:13:23 transform: JSONata syntax error: expected \":\", got \"units\\\"\". Check for a missing comma, bracket or parenthesis just before this point."
    ],
  },
  {
    name: 'unknown system',
    files: flow((t) => t.replace('system: lightspeed', 'system: lightspeeed')),
    expect: [
      "error SL_CONFIG_UNKNOWN_SYSTEM flows/stock.yaml:3:11 source.system: unknown system \"lightspeeed\". Did you mean \"lightspeed\"? Systems in client.yaml: oro, lightspeed."
    ],
  },
  {
    name: 'unknown entity',
    files: flow((t) => t.replace('entity: inventorylevels', 'entity: inventorylevel')),
    expect: [
      "error SL_CONFIG_UNKNOWN_ENTITY flows/stock.yaml:7:11 target.entity: unknown entity \"inventorylevel\" for OroCommerce (system \"oro\"). Did you mean \"inventorylevels\"? Entities: products, productunits, productunitprecisions, inventorylevels, pricelists, productprices, pricelisttocustomers, pricelisttocustomergroups, customers, customergroups, customerusers, orders, orderlineitems, warehouses."
    ],
  },
  {
    name: 'duplicate flow names',
    files: {
      ...client((t) => `${t}  - file: flows/stock-copy.yaml\n`),
      'flows/stock-copy.yaml': BASE_FLOW,
    },
    expect: [
      "error SL_CONFIG_DUPLICATE_FLOW flows/stock-copy.yaml:1:7 name: a flow named \"stock\" is already defined at flows/stock.yaml:1:7. Rename one of them (an include takes name: to rename a mapping)."
    ],
  },
  {
    name: 'unknown lookup table',
    files: flow((t) => t.replace('$valueMap("units"', '$valueMap("unit"')),
    expect: [
      "error SL_CONFIG_UNKNOWN_LOOKUP flows/stock.yaml:13:23 transform: no lookup table \"unit\". Did you mean \"units\"? Tables under lookups: in client.yaml: units."
    ],
  },
  {
    name: 'a transform looks up related records the flow does not declare',
    files: flow((t) => t.replace('"quantity": $sum(itemShops.qoh)', '"quantity": $sum(itemShops.qoh) - $count($related("orders", customSku))')
      .replace('target:', 'related:\n  openOrders: { system: oro, entity: orders, by: lineItems.sku }\ntarget:')),
    expect: [
      "error SL_CONFIG_UNKNOWN_RELATED flows/stock.yaml:16:55 transform: no related records named \"orders\". Declare it under related: in the flow (system, entity, by); declared: openOrders."
    ],
  },
  {
    name: 'related records by a field their entity does not have',
    files: flow((t) => t.replace('target:', 'related:\n  products: { system: oro, entity: products, by: skus }\ntarget:')),
    expect: [
      "error SL_CONFIG_UNKNOWN_FIELD flows/stock.yaml:6:50 related.products.by: products has no field \"skus\". Did you mean \"sku\"? Fields: id, sku, name, description, shortDescription, status, productType, inventoryStatus, primaryUnit, unitPrecisions, variantFields, variantSkus, attributes, createdAt, updatedAt."
    ],
  },
  {
    name: 'keysFrom names a set that is not declared above',
    files: flow((t) => t.replace('target:', 'related:\n  mirrors: { system: lightspeed, entity: Sale, by: referenceNumber, keysFrom: orders.identifier }\ntarget:')),
    expect: [
      "error SL_CONFIG_INVALID flows/stock.yaml:6:79 related.mirrors.keysFrom: keysFrom names \"orders\", which is neither \"source\" nor a related set declared above this one. Use source.<path> or one of: (no set is declared above)."
    ],
  },
  {
    name: 'a keyed related read with a filter',
    files: flow((t) => t.replace('target:', 'related:\n  items: { system: lightspeed, entity: Item, by: itemID, keysFrom: source.itemID, filter: { archived: false } }\ntarget:')),
    expect: [
      "error SL_CONFIG_INVALID flows/stock.yaml:6:83 related.items.filter: a keyed read (keysFrom) cannot filter. Test the records in the transform instead, e.g. $related(\"mirrors\", identifier)[completed]."
    ],
  },
  {
    name: 'incremental via an entity the connector does not have',
    files: flow((t) => t.replace('  entity: Item\n', '  entity: Item\n  incremental: { cursor: timeStamp, via: { entity: ItemShops, key: itemID } }\n')),
    expect: [
      "error SL_CONFIG_UNKNOWN_ENTITY flows/stock.yaml:5:52 source.incremental.via.entity: unknown entity \"ItemShops\" for Lightspeed Retail (R-Series). Did you mean \"ItemShop\"? Entities: Item, ItemMatrix, ItemAttributeSet, ItemShop, Shop, Register, Employee, PriceLevel, CustomerType, Discount, Customer, Sale, SaleLine."
    ],
  },
  {
    name: 'recompute names a related set the flow does not have',
    files: flow((t) => t.replace('  entity: Item\n', '  entity: Item\n  incremental: { cursor: timeStamp, via: { entity: ItemShop, key: itemID }, recompute: { keys: openOrders.lineItems.sku, by: customSku } }\n')),
    expect: [
      "error SL_CONFIG_INVALID flows/stock.yaml:5:96 source.incremental.recompute.keys: recompute names \"openOrders\", which is not a related set of this flow. Related sets: (none)."
    ],
  },
  {
    name: 'ownership names a field the target does not have',
    files: flow((t) => `${t}ownership:\n  fields:\n    quantiy: owner-wins\n`),
    expect: [
      "error SL_CONFIG_UNKNOWN_FIELD flows/stock.yaml:19:5 ownership.fields.quantiy: inventorylevels has no field \"quantiy\". Did you mean \"quantity\"? Fields: id, productId, sku, unit, quantity, warehouseId, externalId."
    ],
  },
  {
    name: 'ownership rule misspelt',
    files: flow((t) => `${t}ownership:\n  fields:\n    quantity: owner\n`),
    expect: [
      "error SL_CONFIG_INVALID flows/stock.yaml:19:15 ownership.fields.quantity: \"owner\" is not allowed here. Did you mean \"owner-wins\"? Allowed: owner-wins, fill-if-empty, never-overwrite, recomputed."
    ],
  },
  {
    name: 'match on a field the target does not have',
    files: flow((t) => t.replace('on: [sku, unit]', 'on: [sku, units]')),
    expect: [
      "error SL_CONFIG_UNKNOWN_FIELD flows/stock.yaml:9:13 match.on[1]: inventorylevels has no field \"units\". Did you mean \"unit\"? Fields: id, productId, sku, unit, quantity, warehouseId, externalId."
    ],
  },
  {
    name: 'flow file not found',
    files: client((t) => t.replace('flows/stock.yaml', 'flows/stok.yaml')),
    expect: [
      "error SL_CONFIG_NOT_FOUND client.yaml:18:11 flows[0].file: flow file \"flows/stok.yaml\" does not exist. Did you mean \"flows/stock.yaml\"?"
    ],
  },
  {
    name: 'unknown standard mapping',
    files: client((t) => t.replace('  - file: flows/stock.yaml', '  - use: catalogue/item')),
    expect: [
      "error SL_CONFIG_UNKNOWN_MAPPING client.yaml:18:10 flows[0].use: no mapping \"catalogue/item\" in the standard library. Did you mean \"catalogue/items\"? Mappings: catalogue/items, catalogue/matrices, customers/to-pos, orders/b2b-to-pos, prices/default-price, prices/price-levels, returns/pos-to-oro, sales/pos-to-oro, stock/levels, stock/status, xseries/catalogue/products, xseries/customers/groups, xseries/customers/to-pos, xseries/orders/b2b-to-pos, xseries/prices/price-books, xseries/prices/tiers, xseries/returns/pos-to-oro, xseries/sales/pos-to-oro, xseries/stock/levels."
    ],
  },
  {
    name: 'unknown connector',
    files: client((t) => t.replace('connector: lightspeed-r', 'connector: shopify')),
    expect: [
      "error SL_CONFIG_INVALID client.yaml:9:16 systems.lightspeed.connector: \"shopify\" is not allowed here. Allowed: oro, lightspeed-r, lightspeed-x."
    ],
  },
  {
    name: 'system without its secret',
    files: client((t) => t.replace('    clientSecret: ${ORO_SECRET:-corpus-oro-secret}\n', '')),
    expect: [
      "error SL_CONFIG_INVALID client.yaml:3:3 systems.oro: missing required key \"clientSecret\". clientSecret: OAuth application client secret."
    ],
  },
  {
    name: 'URL without a scheme',
    files: client((t) => t.replace('url: http://127.0.0.1:1', 'url: shop.example.com')),
    expect: [
      "error SL_CONFIG_INVALID client.yaml:5:10 systems.oro.url: \"shop.example.com\" must be a URL starting with http:// or https://."
    ],
  },
  {
    name: 'system name with capitals',
    files: client((t) => t.replace('  oro:\n', '  Oro:\n')),
    expect: [
      "error SL_CONFIG_INVALID client.yaml:3:3 systems.Oro: the name \"Oro\" is not allowed here. Names must be kebab-case: lower-case letters and digits joined by single dashes, starting with a letter (e.g. \"stock-to-oro\")."
    ],
  },
  {
    name: 'incremental read of an entity without timestamps',
    files: flow((t) => t.replace('source:\n  system: lightspeed\n  entity: Item', 'source:\n  system: oro\n  entity: inventorylevels\n  incremental: updatedAt')
      .replace('target:\n  system: oro\n  entity: inventorylevels', 'target:\n  system: lightspeed\n  entity: ItemShop').replace('on: [sku, unit]', 'on: [itemID, shopID]')),
    expect: [
      "error SL_CONFIG_CAPABILITY flows/stock.yaml:5:16 source.incremental: inventorylevels has no timestamp to read changes by. OroCommerce inventorylevels is read in full on every run; remove \"incremental\"."
    ],
  },
  {
    name: 'incremental by the wrong field',
    files: flow((t) => t.replace('  entity: Item\n', '  entity: Item\n  incremental: updatedAt\n')),
    expect: [
      "error SL_CONFIG_UNKNOWN_FIELD flows/stock.yaml:5:16 source.incremental: Item cannot be read incrementally by \"updatedAt\". Use its timestamp field \"timeStamp\"."
    ],
  },
  {
    name: 'webhook trigger on a system without webhooks',
    files: flow((t) => `${t}triggers:\n  - webhook: true\n`),
    expect: [
      "error SL_CONFIG_CAPABILITY flows/stock.yaml:18:14 triggers[0].webhook: Lightspeed Retail (R-Series) sends no webhooks. Use a poll trigger instead, e.g. - poll: 10s."
    ],
  },
  {
    name: 'poll trigger without an incremental source',
    files: flow((t) => `${t}triggers:\n  - poll: 10s\n`),
    expect: [
      "error SL_CONFIG_INVALID flows/stock.yaml:18:11 triggers[0].poll: polling needs an incremental source. Add source.incremental with the entity's timestamp field."
    ],
  },
  {
    name: 'bad duration',
    files: flow((t) => t.replace('  entity: Item\n', '  entity: Item\n  incremental: timeStamp\n') + 'triggers:\n  - poll: 10 seconds\n'),
    expect: [
      "error SL_CONFIG_INVALID flows/stock.yaml:19:11 triggers[0].poll: \"10 seconds\" must be a duration: a number followed by ms, s, m or h (e.g. \"10s\", \"2m\")."
    ],
  },
  {
    name: 'trigger with two kinds at once',
    files: flow((t) => t.replace('  entity: Item\n', '  entity: Item\n  incremental: timeStamp\n') + 'triggers:\n  - poll: 10s\n    after: stock\n'),
    expect: [
      "error SL_CONFIG_INVALID flows/stock.yaml:19:5 triggers[0]: needs exactly one of: poll, webhook, after."
    ],
  },
  {
    name: 'after names an unknown flow',
    files: flow((t) => `${t}triggers:\n  - after: catalogue\n`),
    expect: [
      "error SL_CONFIG_INVALID flows/stock.yaml:18:12 triggers[0].after: no flow named \"catalogue\". Flows: stock."
    ],
  },
  {
    name: 'include passes an unknown parameter',
    files: client((t) => t.replace('  - file: flows/stock.yaml', '  - use: catalogue/items\n    params:\n      archiveDisabld: false\n  - file: flows/stock.yaml')),
    expect: [
      "error SL_CONFIG_PARAM client.yaml:20:7 flows[0].params.archiveDisabld: the mapping has no parameter \"archiveDisabld\". Did you mean \"archiveDisabled\"? Parameters: archiveDisabled, skuField."
    ],
  },
  {
    name: 'include passes a parameter of the wrong type',
    files: client((t) => t.replace('  - file: flows/stock.yaml', '  - use: catalogue/items\n    params:\n      archiveDisabled: "no"\n  - file: flows/stock.yaml')),
    expect: [
      "error SL_CONFIG_PARAM client.yaml:20:24 flows[0].params.archiveDisabled: parameter \"archiveDisabled\" must be a boolean, got \"no\"."
    ],
  },
  {
    name: 'override with a misspelt key points into client.yaml',
    files: client((t) => t.replace('  - file: flows/stock.yaml', '  - use: catalogue/items\n    override:\n      shedule: "0 * * * *"\n  - file: flows/stock.yaml')),
    expect: [
      "error SL_CONFIG_UNKNOWN_KEY client.yaml:20:7 flows[0].override.shedule: unknown key \"shedule\". Did you mean \"schedule\"? Allowed keys: name, description, enabled, params, source, related, target, match, transform, strict, ownership, schedule, reconcile, triggers, policies, limits."
    ],
  },
  {
    name: 'flow name not in kebab-case',
    files: flow((t) => t.replace('name: stock', 'name: Stock_Flow')),
    expect: [
      "error SL_CONFIG_INVALID flows/stock.yaml:1:7 name: \"Stock_Flow\" must be kebab-case: lower-case letters and digits joined by single dashes, starting with a letter (e.g. \"stock-to-oro\")."
    ],
  },
  {
    name: 'safety ratio above 1',
    files: flow((t) => `${t}policies:\n  maxChangeRatio: 1.5\n`),
    expect: [
      "error SL_CONFIG_INVALID flows/stock.yaml:18:19 policies.maxChangeRatio: the number 1.5 must be at most 1."
    ],
  },
  {
    name: 'policy value misspelt',
    files: flow((t) => `${t}policies:\n  missing: crate\n`),
    expect: [
      "error SL_CONFIG_INVALID flows/stock.yaml:18:12 policies.missing: \"crate\" is not allowed here. Did you mean \"create\"? Allowed: create, report, skip."
    ],
  },
  {
    name: 'unknown time zone',
    files: client((t) => `${t}timezone: Europe/Amsterdamm\n`),
    expect: [
      "error SL_CONFIG_INVALID client.yaml:19:11 timezone: unknown time zone \"Europe/Amsterdamm\". Use an IANA name such as Europe/Amsterdam or America/New_York."
    ],
  },
  {
    name: 'postgres state without a url',
    files: client((t) => `${t}state:\n  backend: postgres\n`),
    expect: [
      "error SL_CONFIG_INVALID client.yaml:20:12 state.url: the postgres state backend needs a url. Add url: ${DATABASE_URL} (postgres://user:password@host:5432/database) under state."
    ],
  },
  {
    name: 'a database url for the lowdb state, its password kept out of the message',
    files: client((t) => `${t}state:\n  url: \${DATABASE_URL}\n`),
    env: { DATABASE_URL: 'postgres://storelink:corpus-db-password@db:5432/shop' },
    expect: [
      "error SL_CONFIG_INVALID client.yaml:20:8 state.url: url and schema are settings of the postgres state backend. Add backend: postgres under state, or remove them."
    ],
  },
  {
    name: 'lookup table written as a list',
    files: client((t) => t.replace('  units:\n    each: item\n', '  units: [each, item]\n')),
    expect: [
      "error SL_CONFIG_INVALID client.yaml:15:10 lookups.units: expected a mapping, got a list."
    ],
  },
  {
    name: 'target entity that cannot be written',
    files: flow((t) => t.replace('target:\n  system: oro\n  entity: inventorylevels', 'target:\n  system: lightspeed\n  entity: ItemAttributeSet').replace('on: [sku, unit]', 'on: name')),
    expect: [
      "error SL_CONFIG_CAPABILITY flows/stock.yaml:7:11 target.entity: Lightspeed Retail (R-Series) does not allow writing ItemAttributeSet. Choose an entity the connector can write."
    ],
  },
  {
    name: 'flows is not a list',
    files: client((t) => t.replace('flows:\n  - file: flows/stock.yaml\n', 'flows: flows/stock.yaml\n')),
    expect: [
      "error SL_CONFIG_INVALID client.yaml:17:8 flows: expected a list, got \"flows/stock.yaml\"."
    ],
  },
  {
    name: 'systems binding names a role the mapping does not use',
    files: client((t) => t.replace('  - file: flows/stock.yaml', '  - use: catalogue/items\n    systems:\n      pos: lightspeed\n  - file: flows/stock.yaml')),
    expect: [
      "error SL_CONFIG_INVALID client.yaml:20:7 flows[0].systems.pos: the flow uses no system called \"pos\". It uses: oro, lightspeed."
    ],
  },
  {
    name: 'a key indented under a value',
    files: flow((t) => t.replace('  entity: inventorylevels', '    entity: inventorylevels')),
    expect: [
      "error SL_CONFIG_YAML flows/stock.yaml:6:11 nested mappings are not allowed in compact mappings. Check the indentation: keys of one mapping start in the same column, and a value containing \": \" must be quoted."
    ],
  },
  {
    name: 'a block written where a value was expected',
    files: flow((t) => t.replace('source:\n', 'source: lightspeed\nsourcex:\n')),
    expect: [
      "error SL_CONFIG_UNKNOWN_KEY flows/stock.yaml:3:1 sourcex: unknown key \"sourcex\". Did you mean \"source\"? Allowed keys: name, description, enabled, params, source, related, target, match, transform, strict, ownership, schedule, reconcile, triggers, policies, limits.",
      "error SL_CONFIG_INVALID flows/stock.yaml:2:9 source: expected a mapping, got \"lightspeed\"."
    ],
  },
  {
    name: 'inline flow in client.yaml with an unknown entity',
    files: client((t) => t.replace('  - file: flows/stock.yaml', '  - name: inline\n    source: { system: oro, entity: product }\n    target: { system: lightspeed, entity: Item }\n    transform: "{ \\"description\\": name }"')),
    expect: [
      "error SL_CONFIG_UNKNOWN_ENTITY client.yaml:19:36 flows[0].source.entity: unknown entity \"product\" for OroCommerce (system \"oro\"). Did you mean \"products\"? Entities: products, productunits, productunitprecisions, inventorylevels, pricelists, productprices, pricelisttocustomers, pricelisttocustomergroups, customers, customergroups, customerusers, orders, orderlineitems, warehouses."
    ],
  },
  {
    name: 'env file that does not exist',
    files: {},
    args: ['--env-file', 'secrets/prod.env'],
    expect: [
      "error SL_CONFIG_NOT_FOUND env file \"secrets/prod.env\" does not exist. Paths given with --env-file are relative to the current folder."
    ],
  },
];
