// The business exceptions storelink raises: each type has an owner role, a plain-language
// explanation for the person who owns it, and the action to take. Repeats of one type for one
// business key collapse into one open item with a count (see the state store).
import type { Owner, Severity } from '../state/store.js';

export interface ExceptionType {
  readonly owner: Owner;
  readonly severity: Severity;
  /** What happened, for the owner (who is not a programmer). */
  readonly explanation: string;
  /** What to do about it, step by step when there are steps. */
  readonly action: string;
}

export const EXCEPTION_TYPES = {
  sku_unmapped: {
    owner: 'merchandising', severity: 'error',
    explanation: 'A product exists on one side but has no counterpart on the other, and the flow may not create it.',
    action: 'Create the product (or the inventory level) on the other side, or correct the SKU so both sides use the same one.',
  },
  sku_duplicate: {
    owner: 'merchandising', severity: 'error',
    explanation: 'Two records share the same SKU (or other identifying key), so storelink cannot tell which one to update.',
    action: 'Merge or archive the duplicate in the system named in the exception; storelink picks it up on the next run.',
  },
  unit_unmapped: {
    owner: 'merchandising', severity: 'error',
    explanation: 'A product unit (e.g. "box") has no mapping to the other system\'s units.',
    action: 'Add the unit to the unit value map in the client configuration, or give the product a mapped unit.',
  },
  validation_failed: {
    owner: 'e-commerce', severity: 'error',
    explanation: 'A record could not be transformed into a valid record for the target system (a mapping or data problem).',
    action: 'Read the reason and the field; correct the source data, or ask the integration consultant to adjust the mapping.',
  },
  event_dead_letter: {
    owner: 'ops', severity: 'error',
    explanation: 'The service could not process queued changes after every retry (a system kept failing, or a record it names cannot be written); they wait in the dead letters, nothing is dropped.',
    action: 'Read the last error in the exception. Fix its cause (the system is reachable again, the record is corrected), then run `storelink queue requeue <client-dir>` to process them again.',
  },
  conflict: {
    owner: 'e-commerce', severity: 'warning',
    explanation: 'Someone changed a field in the system that does not own it; the owning system\'s value and the edited value differ.',
    action: 'Decide which value is right and change it in the owning system; edits in the other system are overwritten or reported by policy.',
  },
  write_failed: {
    owner: 'ops', severity: 'error',
    explanation: 'A vendor system refused or failed to save a change.',
    action: 'Read the vendor\'s reason; fix the data it names. Transient failures are retried automatically.',
  },
  rate_limit_exhausted: {
    owner: 'ops', severity: 'warning',
    explanation: 'A vendor kept refusing requests for exceeding its rate limit; part of the work waits for the next run.',
    action: 'No action needed if it is rare; if it repeats, lower the schedule frequency or check other apps using the same API account.',
  },
  auth_failed: {
    owner: 'ops', severity: 'error',
    explanation: 'A vendor refused storelink\'s credentials; no data moves for that system until this is fixed.',
    action: 'Renew the API credentials (or authorise storelink again in Lightspeed) and update the environment.',
  },
  customer_unmapped: {
    owner: 'finance', severity: 'error',
    explanation: 'A customer could not be matched between the webshop and the POS, or has no customer type for its price list.',
    action: 'Link or create the customer on the other side, or map its price list to a POS customer type.',
  },
  orphaned_order: {
    owner: 'ops', severity: 'error',
    explanation: 'An order exists on one side with no counterpart on the other (for example a B2B order never mirrored to the POS).',
    action: 'Check the order in both systems; create or cancel the missing side.',
  },
  orphaned_return: {
    owner: 'finance', severity: 'error',
    explanation: 'A return at a store could not be linked to the original webshop order.',
    action: 'Find the original order (the customer or the order number) and enter it on the return, then retry the exception.',
  },
  stock_drift: {
    owner: 'ops', severity: 'warning',
    explanation: 'The webshop\'s stock level differs from what the store stock says it should be.',
    action: 'Check recent sales and receipts of the SKU; the next reconciliation corrects the webshop level.',
  },
  price_mismatch: {
    owner: 'finance', severity: 'error',
    explanation: 'A contract price in the POS differs from the webshop price list, or could not be written to the POS.',
    action: 'Check the price list in the webshop; if a price level is missing in the POS, create it there and map it in the configuration.',
  },
  price_tier_unsupported: {
    owner: 'finance', severity: 'info',
    explanation: 'A webshop price list has quantity tiers (e.g. a lower price from 10 pieces) that the POS price levels cannot hold; the store charges the single-piece price.',
    action: 'No action needed unless store customers buy in those quantities; then give them a discount in the POS or a customer type with its own price level.',
  },
  safety_stop: {
    owner: 'ops', severity: 'error',
    explanation: 'A run would have changed more records than the flow allows at once, or its source returned nothing, so it stopped before writing.',
    action: 'Look at the plan (storelink plan). If the changes are right, apply them once with --force; if not, fix the source.',
  },
} as const satisfies Record<string, ExceptionType>;

export type ExceptionTypeName = keyof typeof EXCEPTION_TYPES;
