import type { Dirent } from 'node:fs';
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { errorMessage, InputError, StorageError } from '../../errors';
import type { ObjectStore } from '../../ports/object-store';
import { mkdirPrivate, privateFileMode } from '../local/private-fs';

/** Rejects keys that could leave the root folder (they come from code, but paths are unforgiving). */
function assertKey(key: string): string {
  if (key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '.')) throw new InputError(`not an object key: "${key}"`);
  return key;
}

/**
 * The object store on one machine: a folder whose relative paths are the keys (the local lake
 * uses the same keys as the S3 bucket). Writes go to a dot file then rename, so a reader never
 * sees half an object.
 */
export class FileObjectStore implements ObjectStore {
  constructor(private readonly root: string) {}

  private path(key: string): string {
    return join(this.root, ...assertKey(key).split('/').filter((p) => p !== ''));
  }

  async getText(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.path(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StorageError(`cannot read ${key}: ${errorMessage(error)}`, { cause: error });
    }
  }

  async putText(key: string, body: string): Promise<void> {
    const file = this.path(key);
    const temp = join(dirname(file), `.${file.split(sep).pop()}.tmp`);
    try {
      await mkdirPrivate(dirname(file));
      await writeFile(temp, body, { mode: privateFileMode });
      await rename(temp, file);
    } catch (error) {
      throw new StorageError(`cannot write ${key}: ${errorMessage(error)}`, { cause: error });
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.root, { recursive: true, withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw new StorageError(`cannot list ${this.root}: ${errorMessage(error)}`, { cause: error });
    }
    const keys = entries
      .filter((e) => e.isFile())
      .map((e) => relative(this.root, join(e.parentPath, e.name)).split(sep).join('/'))
      .filter((key) => key.startsWith(assertKey(prefix)));
    for (const key of keys) await rm(this.path(key), { force: true });
    return keys.length;
  }
}
