import { packagedStage, type Template } from '../stack/package';

/**
 * The compiled stack of both stages, as the stack tests read it: `sls package` of prod and dev,
 * built once per test run and shared by every file that asks (tests/stack/package.ts), and the
 * small lookups they all use.
 */

export interface StackTemplates {
  readonly prod: Template;
  readonly dev: Template;
  /** The folder of prod's package (its zips and templates). */
  readonly prodDir: string;
}

/** How long a first caller may wait for both packages (the first build of a run). */
export const stackTemplatesTimeoutMs = 300_000;

/** Prod's and dev's compiled templates; call it from a `beforeAll` with stackTemplatesTimeoutMs. */
export async function loadStackTemplates(): Promise<StackTemplates> {
  const { dir: prodDir, template: prod } = await packagedStage('prod');
  const { template: dev } = await packagedStage('dev');
  return { prod, dev, prodDir };
}

/** A resource of a template by logical id; throws naming it when the template has none. */
export function resourceOf(t: Template, id: string): Template['Resources'][string] & { Properties: any } {
  const r = t.Resources[id];
  if (!r) throw new Error(`no resource ${id}`);
  return r as Template['Resources'][string] & { Properties: any };
}

/** A CloudFormation value that may be one item or a list, as a list. */
export const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
