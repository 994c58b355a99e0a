// Card-number redaction in customer and sale text fields (spec §5, simulator default): a run of
// 13–19 digits, spaces or dashes allowed between them, that passes the Luhn check keeps only its
// last 4 digits; the others become X.

const CANDIDATE = /\d(?:[ -]?\d){12,18}/g;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function redactCards(text: string): string {
  return text.replace(CANDIDATE, (run) => {
    const digits = run.replace(/\D/g, '');
    if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return run;
    let seen = 0;
    const keepFrom = digits.length - 4;
    return run.replace(/\d/g, (d) => (seen++ < keepFrom ? 'X' : d));
  });
}

/** Redacts every string value of the named fields in place. */
export function redactFields(record: Record<string, unknown>, fields: readonly string[]): void {
  for (const field of fields) {
    const value = record[field];
    if (typeof value === 'string') record[field] = redactCards(value);
  }
}
