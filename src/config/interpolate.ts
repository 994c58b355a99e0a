// ${VAR} and ${VAR:-default} in configuration strings; `$${` writes a literal `${`.
import type { ErrorCode } from '../errors.js';

export type EnvLookup = (name: string) => string | undefined;

export interface InterpolationProblem {
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint: string;
  /** The text of the reference as written, to find its column in the file. */
  readonly reference: string;
}

export interface InterpolationResult {
  readonly value: string | undefined;
  readonly problems: InterpolationProblem[];
  /** Variables that were substituted, with their values (to register secrets). */
  readonly used: { name: string; value: string }[];
  /** The whole string was one reference. */
  readonly wholeReference: boolean;
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function interpolate(input: string, env: EnvLookup): InterpolationResult {
  const problems: InterpolationProblem[] = [];
  const used: { name: string; value: string }[] = [];
  let references = 0;
  let wholeReference = false;
  const value = input.replace(REFERENCE, (match: string, body: string | undefined, offset: number) => {
    if (match === '$${') return '${';
    references += 1;
    if (body === undefined) {
      problems.push({
        code: 'SL_CONFIG_INVALID', reference: match,
        message: '"${" is not closed', hint: 'Write ${NAME} or ${NAME:-default}, or $${ for a literal ${',
      });
      return match;
    }
    const separator = body.indexOf(':-');
    const name = separator === -1 ? body : body.slice(0, separator);
    const fallback = separator === -1 ? undefined : body.slice(separator + 2);
    if (!NAME.test(name)) {
      problems.push({
        code: 'SL_CONFIG_INVALID', reference: match,
        message: `"${match}" is not a valid variable reference`,
        hint: 'Names use letters, digits and _ and do not start with a digit: ${ORO_CLIENT_SECRET} or ${NAME:-default}',
      });
      return match;
    }
    const found = env(name);
    if (found !== undefined && found !== '') {
      used.push({ name, value: found });
      if (match.length === input.length && offset === 0) wholeReference = true;
      return found;
    }
    if (fallback !== undefined) {
      if (match.length === input.length && offset === 0) wholeReference = true;
      return fallback;
    }
    problems.push({
      code: 'SL_CONFIG_ENV_MISSING', reference: match,
      message: `environment variable ${name} is not set`,
      hint: `Set ${name} in the environment, in .env beside client.yaml or in a file passed with --env-file, or write \${${name}:-default}`,
    });
    return match;
  });
  return { value: problems.length > 0 ? undefined : value, problems, used, wholeReference: wholeReference && references === 1 };
}
