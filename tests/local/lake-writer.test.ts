import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { objectName, writeLakeObject } from '../../local/lake-writer';
import { removeDir, tempDir } from './delivery-fixtures';

let root: string;
beforeEach(async () => {
  root = await tempDir();
});
afterEach(async () => {
  await removeDir(root);
});

describe('objectName', () => {
  it('follows Firehose naming with the UTC time of the earliest record and the sequence range as id', () => {
    expect(objectName('wa-analytics-local-raw', Date.UTC(2024, 0, 2, 3, 4, 5, 678), 12, 3456)).toBe('wa-analytics-local-raw-1-2024-01-02-03-04-05-000000000012-000000003456.gz');
  });
});

describe('writeLakeObject', () => {
  const key = 'raw/events/dt=2024-01-02/x.gz';

  it('writes the gzip of the concatenated chunks, leaving no temporary file', async () => {
    expect(await writeLakeObject(root, key, [Buffer.from('{"a":1}\n'), Buffer.from('{"a":2}\n')])).toBe(true);
    expect(gunzipSync(await readFile(join(root, key))).toString()).toBe('{"a":1}\n{"a":2}\n');
    expect(await readdir(join(root, 'raw/events/dt=2024-01-02'))).toEqual(['x.gz']);
  });

  it('leaves an existing object untouched and reports that nothing was written', async () => {
    await writeLakeObject(root, key, [Buffer.from('first\n')]);
    expect(await writeLakeObject(root, key, [Buffer.from('second\n')])).toBe(false);
    expect(gunzipSync(await readFile(join(root, key))).toString()).toBe('first\n');
  });
});
