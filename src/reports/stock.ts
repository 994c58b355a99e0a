// The daily stock reconciliation: for every Oro inventory level, what Lightspeed holds, what open
// B2B orders hold back, the buffer, the level the stock formula expects and the level Oro shows —
// and the drift between the last two. It is the stock flow's own full plan, read-only: the same
// formula the integration writes with, explained by the flow (`_explain`), so the report and the
// integration can never disagree about what "right" is.
import type { ResolvedFlow } from '../config/model.js';
import { slError } from '../errors.js';
import { planFlow, type Runtime } from '../engine/planner.js';

export interface StockRow {
  readonly sku: string;
  readonly unit: string;
  readonly location: string;
  /** On hand in the pool shops (after shop buffers), in the unit the store counts in. */
  readonly onHand: number | null;
  readonly committed: number | null;
  readonly buffer: number | null;
  readonly posUnit: string | null;
  readonly expected: number | null;
  /** What Oro shows now; null when Oro has no such level. */
  readonly actual: number | null;
  /** actual − expected: positive means the webshop offers more than there is. */
  readonly drift: number | null;
  readonly status: 'ok' | 'drift' | 'missing' | 'error';
  readonly note?: string;
}

export interface StockReport {
  readonly flow: string;
  readonly generatedAt: string;
  readonly rows: readonly StockRow[];
  readonly summary: { readonly levels: number; readonly drifting: number; readonly missing: number; readonly errors: number };
}

/** The stock flow of a client: the one named, or the one that writes Oro inventory levels. */
export function stockFlow(flows: readonly ResolvedFlow[], name?: string): ResolvedFlow {
  const candidates = flows.filter((f) => f.enabled && (name ? f.name === name : f.target.entity === 'inventorylevels'));
  if (candidates.length === 0) {
    throw slError('SL_USAGE', name ? `no flow named "${name}"` : 'no flow of this client writes Oro inventory levels', { hint: `Flows: ${flows.map((f) => f.name).join(', ')}; name one with --flow` });
  }
  return candidates[0]!;
}

export async function stockReport(runtime: Runtime, flow: ResolvedFlow): Promise<StockReport> {
  const plan = await planFlow(runtime, flow, { level: 'full', full: true, force: true });
  const rows: StockRow[] = [];
  const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : value === undefined || value === null ? null : Number(value));
  for (const change of plan.changes) {
    const record = change.record ?? {};
    const explain = change.explain ?? {};
    const common = {
      sku: String(record.sku ?? keyPart(change.key, 'sku') ?? /(?:^| )\w*[sS]ku=(\S+)/.exec(change.key)?.[1] ?? change.key),
      unit: String(record.unit ?? keyPart(change.key, 'unit') ?? ''),
      location: record.warehouseId === null || record.warehouseId === undefined ? 'all' : `warehouse ${String(record.warehouseId)}`,
      onHand: number(explain.onHand), committed: number(explain.committed), buffer: number(explain.buffer),
      posUnit: typeof explain.posUnit === 'string' ? explain.posUnit : null,
    };
    if (change.action === 'error' || change.action === 'skip') {
      rows.push({ ...common, expected: null, actual: null, drift: null, status: 'error', note: `${change.exception ?? 'error'}: ${change.reason ?? ''}` });
      continue;
    }
    const expected = number(record.quantity);
    if (change.action === 'create') {
      rows.push({ ...common, expected, actual: null, drift: null, status: 'missing', note: 'Oro has no such inventory level' });
      continue;
    }
    const moved = change.fields?.find((f) => f.field === 'quantity') ?? change.conflicts?.find((c) => c.field === 'quantity');
    const actual = moved ? number('before' in moved ? moved.before : moved.target) : expected;
    const drift = actual !== null && expected !== null ? Number((actual - expected).toFixed(9)) : null;
    rows.push({ ...common, expected, actual, drift, status: drift === 0 || drift === null ? 'ok' : 'drift' });
  }
  rows.sort((a, b) => a.sku.localeCompare(b.sku) || a.location.localeCompare(b.location) || a.unit.localeCompare(b.unit));
  return {
    flow: flow.name,
    generatedAt: new Date().toISOString(),
    rows,
    summary: {
      levels: rows.filter((r) => r.status !== 'error').length,
      drifting: rows.filter((r) => r.status === 'drift').length,
      missing: rows.filter((r) => r.status === 'missing').length,
      errors: rows.filter((r) => r.status === 'error').length,
    },
  };
}

function keyPart(key: string, name: string): string | undefined {
  return new RegExp(`(?:^| )${name}=(\\S*)`).exec(key)?.[1];
}

const COLUMNS: readonly (keyof StockRow)[] = ['sku', 'unit', 'location', 'status', 'onHand', 'committed', 'buffer', 'posUnit', 'expected', 'actual', 'drift', 'note'];
const HEADINGS: Readonly<Record<string, string>> = {
  sku: 'SKU', unit: 'Oro unit', location: 'location', status: 'status', onHand: 'Lightspeed on hand', committed: 'open B2B commitments', buffer: 'buffer',
  posUnit: 'counted in', expected: 'expected Oro level', actual: 'Oro level', drift: 'drift', note: 'note',
};

export function stockCsv(rows: readonly StockRow[]): string {
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\n\r]/.test(text) || /^[=+\-@]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `${[COLUMNS.map((c) => HEADINGS[c]).join(','), ...rows.map((r) => COLUMNS.map((c) => cell(r[c])).join(','))].join('\r\n')}\r\n`;
}

export function stockHtml(report: StockReport, rows: readonly StockRow[], client: string): string {
  const esc = (value: unknown) => (value === null || value === undefined ? '' : String(value)).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const body = rows.map((r) => `<tr class="${r.status}">${COLUMNS.map((c) => `<td>${esc(r[c])}</td>`).join('')}</tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Stock reconciliation — ${esc(client)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}tr.drift td{background:#fff4e5}tr.missing td,tr.error td{background:#fdecec}</style>
</head><body>
<h1>Stock reconciliation — ${esc(client)}</h1>
<p>${esc(report.generatedAt)} · flow ${esc(report.flow)} · ${report.summary.levels} levels, ${report.summary.drifting} drifting, ${report.summary.missing} missing in Oro, ${report.summary.errors} that cannot be computed.
A positive drift means the webshop offers more than the stores hold for it.</p>
<table><thead><tr>${COLUMNS.map((c) => `<th>${esc(HEADINGS[c])}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody></table>
</body></html>
`;
}
