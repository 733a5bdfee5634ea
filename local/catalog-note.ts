import { describeRepair, type LocalCatalog } from '../shared/adapters/local/catalog';

/**
 * The line the operator sees when the catalog was missing and was rebuilt from the lake as it
 * opened (`start`, `replay`, `query`, `daily`…); null when it was there.
 */
export function rebuiltNote(catalog: LocalCatalog): string | null {
  return catalog.rebuilt === null ? null : `wa-analytics: ${catalog.path} was missing: rebuilt it from the lake: ${describeRepair(catalog.rebuilt)}`;
}
