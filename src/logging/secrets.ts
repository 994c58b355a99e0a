// The secrets of a run (values that came from the environment into secret places) and the one
// function that removes them from any text before it leaves the process.

export const REDACTED = '[REDACTED]';

export class Secrets {
  readonly #variants = new Set<string>();

  constructor(values: Iterable<string> = []) {
    this.add(values);
  }

  add(values: Iterable<string>): void {
    for (const value of values) {
      if (value.length < 4) continue; // too short to redact without mangling ordinary text
      this.#variants.add(value);
      const escaped = JSON.stringify(value).slice(1, -1);
      this.#variants.add(escaped); // as it appears inside JSON
      this.#variants.add(JSON.stringify(escaped).slice(1, -1)); // inside JSON text that is itself a JSON string
      this.#variants.add(encodeURIComponent(value)); // as it appears in a URL or form body
    }
  }

  get size(): number {
    return this.#variants.size;
  }

  redact(text: string): string {
    if (this.#variants.size === 0) return text;
    let out = text;
    // longest first, so a secret that contains another is replaced whole
    for (const variant of [...this.#variants].sort((a, b) => b.length - a.length)) {
      if (out.includes(variant)) out = out.split(variant).join(REDACTED);
    }
    return out;
  }
}
