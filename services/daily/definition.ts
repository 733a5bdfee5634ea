import { retryableErrorNames } from '../../shared/ports/retryable';
import definitionJson from './state-machine.asl.json';

/**
 * The state machine definition and its `${…}` placeholders, of two kinds:
 * - `"${RetryableErrors}"` as an element of a Retry's ErrorEquals is filled here, when the file is
 *   loaded, with `retryableErrorNames` (shared/ports/retryable.ts): the error names the adapters
 *   throw and the Retry lists are then one list, written once;
 * - `${<Task>FunctionArn}` are left to CloudFormation's DefinitionSubstitutions, which fill them
 *   with the task Lambdas' ARNs; locally they get well-formed placeholder ARNs (every Task is
 *   overridden by a local handler, so nothing is ever invoked).
 */

/** The ErrorEquals element that stands for every retryable error name. */
export const retryableErrorsPlaceholder = '${RetryableErrors}';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A copy of `node` with the placeholder of every Retry's ErrorEquals replaced by the names. */
function fillRetryLists(node: Json, inRetry = false): Json {
  if (Array.isArray(node)) return node.map((item) => fillRetryLists(item, inRetry));
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]): [string, Json] => {
      if (inRetry && key === 'ErrorEquals' && Array.isArray(value)) return [key, value.flatMap((name) => (name === retryableErrorsPlaceholder ? [...retryableErrorNames] : [name]))];
      return [key, fillRetryLists(value, key === 'Retry')];
    }),
  );
}

/**
 * The ASL file with its Retry lists filled; throws when the placeholder is left anywhere else
 * (a Catch, a Comment), where it would silently match nothing.
 */
export function loadDefinitionText(definition: unknown = definitionJson): string {
  const text = JSON.stringify(fillRetryLists(definition as Json));
  if (text.includes(retryableErrorsPlaceholder)) throw new Error(`${retryableErrorsPlaceholder} is only filled inside a Retry's ErrorEquals; the definition has it elsewhere`);
  return text;
}

/** The definition text as deployed: the Retry lists filled, the task ARN placeholders unresolved. */
export const definitionText = loadDefinitionText();

/** Placeholder names in the definition (`${ResolveInputFunctionArn}` → `ResolveInputFunctionArn`), sorted. */
export function definitionPlaceholders(text: string = definitionText): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]!))].sort();
}

/** The definition with every placeholder replaced; throws when one has no value. */
export function substituteDefinition(values: Readonly<Record<string, string>>, text: string = definitionText): unknown {
  const missing = definitionPlaceholders(text).filter((name) => values[name] === undefined);
  if (missing.length > 0) throw new Error(`no value for definition placeholders: ${missing.join(', ')}`);
  return JSON.parse(text.replace(/\$\{([A-Za-z0-9]+)\}/g, (_m, name: string) => values[name]!));
}

/** Placeholder ARNs for a local run. */
export function localSubstitutions(): Record<string, string> {
  return Object.fromEntries(definitionPlaceholders().map((name) => [name, `arn:aws:lambda:us-east-1:000000000000:function:wa-analytics-local-${name.replace(/FunctionArn$/, '')}`]));
}
