import definitionJson from './state-machine.asl.json';

/**
 * The state machine definition and its `${…}` placeholders. On AWS, CloudFormation's
 * DefinitionSubstitutions fill them with the task Lambdas' ARNs; locally they get well-formed
 * placeholder ARNs (every Task is overridden by a local handler, so nothing is ever invoked).
 */

/** The definition text exactly as deployed (placeholders unresolved). */
export const definitionText = JSON.stringify(definitionJson);

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
