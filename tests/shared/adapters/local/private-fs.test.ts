import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCatalog } from '../../../../shared/adapters/local/catalog';
import { ensurePrivateDataDir, mkdirPrivate } from '../../../../shared/adapters/local/private-fs';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wa-private-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const mode = (p: string) => statSync(p).mode & 0o777;

describe('private files of the local data directory', () => {
  it('creates every missing directory 0700', async () => {
    await mkdirPrivate(join(root, 'a', 'b', 'c'));
    expect([mode(join(root, 'a')), mode(join(root, 'a', 'b')), mode(join(root, 'a', 'b', 'c'))]).toEqual([0o700, 0o700, 0o700]);
  });

  it('tightens an existing data directory that others could enter', async () => {
    const dir = join(root, 'old');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    await ensurePrivateDataDir(dir);
    expect(mode(dir)).toBe(0o700);
  });

  it('opens a new catalog as a 0600 file in a 0700 data directory', async () => {
    const catalog = await LocalCatalog.open(join(root, 'data'));
    expect(mode(join(root, 'data'))).toBe(0o700);
    expect(mode(catalog.path)).toBe(0o600);
  });
});
