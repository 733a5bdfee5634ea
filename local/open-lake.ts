import { existsSync } from 'node:fs';
import { LocalCatalog } from '../shared/adapters/local/catalog';
import { LocalQueryEngine } from '../shared/adapters/local/query-engine';
import { InputError } from '../shared/errors';
import { rebuiltNote } from './catalog-note';

/**
 * Opens an existing local lake for reading (`query`, `experiments`): a mistyped directory is an
 * InputError, never a new empty lake; a catalog rebuilt as it opened is told to `note`. The
 * caller closes the engine.
 */
export async function openLocalLake(dataDir: string, note: (line: string) => void): Promise<{ catalog: LocalCatalog; engine: LocalQueryEngine }> {
  if (!existsSync(dataDir)) throw new InputError(`no local data at ${dataDir} (run wa-analytics start or demo first, or pass --data-dir)`);
  const catalog = await LocalCatalog.open(dataDir);
  const rebuilt = rebuiltNote(catalog);
  if (rebuilt !== null) note(rebuilt);
  return { catalog, engine: await LocalQueryEngine.open(catalog) };
}
