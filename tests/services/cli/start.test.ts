import { boundedNumber } from '../../../services/cli/commands/start';
import { InputError } from '../../../shared/errors';
import { removeTempDirs, runCli, tempDir } from '../local/stack-helpers';

afterAll(removeTempDirs);

describe('wa-analytics start flags', () => {
  it('refuses out-of-range numbers instead of wrapping them', () => {
    expect(boundedNumber('900', '--buffer-seconds', 900)).toBe(900);
    expect(boundedNumber('0.05', '--buffer-mb', 128)).toBe(0.05);
    for (const bad of ['3000000', '0', '-1', 'abc', '', 'Infinity', '900.5']) {
      expect(() => boundedNumber(bad, '--buffer-seconds', 900)).toThrow(InputError);
    }
  });

  it('exits 2 with one line for --buffer-seconds 3000000 and --buffer-mb 1000, before taking the data dir', async () => {
    const dataDir = tempDir();
    const seconds = await runCli(['start', '--port', '0', '--data-dir', dataDir, '--buffer-seconds', '3000000'], {});
    expect([seconds.code, seconds.stdout, seconds.stderr]).toEqual([2, '', 'wa-analytics: input error: --buffer-seconds must be a number above 0 and at most 900 (got "3000000")\n']);
    const mb = await runCli(['start', '--port', '0', '--data-dir', dataDir, '--buffer-mb', '1000'], {});
    expect([mb.code, mb.stderr]).toEqual([2, 'wa-analytics: input error: --buffer-mb must be a number above 0 and at most 128 (got "1000")\n']);
  });
});
