import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { objectName, reusingGzip, writeLakeObject } from '../../local/lake-writer';
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

describe('reusingGzip', () => {
  const chunksOf = (size: number, fill: number) => [Buffer.alloc(Math.floor(size / 2), fill), Buffer.alloc(size - Math.floor(size / 2), fill + 1)];

  it('gzips the concatenation of the chunks, object after object, larger and smaller than the last', async () => {
    const compress = reusingGzip();
    const sizes = [10, 300_000, 7, 1_000_000, 0, 250_000];
    const outputs: Buffer[] = [];
    for (const [i, size] of sizes.entries()) outputs.push(await compress(chunksOf(size, i * 2)));
    // Every output still holds its own object after the buffer was reused for the next ones.
    outputs.forEach((out, i) => expect(gunzipSync(out).equals(Buffer.concat(chunksOf(sizes[i]!, i * 2)))).toBe(true));
  });

  it('writes lake objects that read back as the chunks', async () => {
    const compress = reusingGzip();
    await writeLakeObject(root, 'raw/a.gz', [Buffer.from('{"a":1}\n'), Buffer.from('{"a":2}\n')], compress);
    await writeLakeObject(root, 'raw/b.gz', [Buffer.from('{"b":1}\n')], compress);
    expect(gunzipSync(await readFile(join(root, 'raw/a.gz'))).toString()).toBe('{"a":1}\n{"a":2}\n');
    expect(gunzipSync(await readFile(join(root, 'raw/b.gz'))).toString()).toBe('{"b":1}\n');
  });
});
