// Writes sent one at a time, in order, each with its own outcome — until the system refuses
// storelink's credentials (a revoked grant, a refused refresh token): every later request of the
// run would fail the same way, so the rest are not sent and come back failed and unsent, to be
// retried once someone authorised storelink again. The soak's token revocations had each B2B order
// of a 140-order run try its write (and a token refresh) only to fail the same way.
import type { WriteOp, WriteOutcome } from './connector.js';
import { ConnectorError } from './errors.js';

/**
 * Whether a failed request means the system refused storelink's credentials: an auth error that is
 * not a 403 (a permission missing for one operation says nothing about the next record).
 */
export function credentialsRefused(error: ConnectorError): boolean {
  return error.errorClass === 'auth' && !error.vendor.some((v) => v.status === 403);
}

/** The outcome of a write left unsent because `refused` came first. */
export function unsent(refused: ConnectorError): WriteOutcome {
  return {
    ok: false, unsent: true,
    error: new ConnectorError({
      system: refused.system, errorClass: 'auth', method: refused.request.method, path: refused.request.path, vendor: refused.vendor,
      message: `not sent: ${refused.system} refused storelink's credentials earlier in this run (${refused.message})`,
    }),
  };
}

/**
 * `writeOne` for each op, in order, `concurrency` at a time (each op is its own record: none waits
 * for another's answer), stopping at refused credentials: ops not started by then come back
 * unsent. `onWritten(1)` after each. Outcomes are in the order of `ops`.
 */
export async function writeInOrder(
  ops: readonly WriteOp[], writeOne: (op: WriteOp) => Promise<WriteOutcome>, onWritten?: (count: number) => void, concurrency = 1,
): Promise<WriteOutcome[]> {
  const outcomes = new Array<WriteOutcome>(ops.length);
  let refused: ConnectorError | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ops.length) {
      const index = next;
      next += 1;
      const outcome = refused ? unsent(refused) : await writeOne(ops[index]!);
      if (!outcome.ok && !outcome.unsent && !refused && credentialsRefused(outcome.error)) refused = outcome.error;
      outcomes[index] = outcome;
      onWritten?.(1);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, ops.length)) }, worker));
  return outcomes;
}
