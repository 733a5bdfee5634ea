import { build } from 'esbuild';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { ThrottlingError, TransientError, retryableErrorNames } from '../../../shared/ports/retryable';

describe('retryable errors', () => {
  it('are named as the workflow retries them', () => {
    expect(new ThrottlingError('slow down').name).toBe('ThrottlingError');
    expect(new TransientError('try again').name).toBe('TransientError');
    expect(retryableErrorNames).toEqual(expect.arrayContaining([new ThrottlingError('x').name, new TransientError('x').name]));
  });

  it('keep their names when a minifier renames the classes (no keepNames)', async () => {
    const out = await build({
      stdin: {
        contents: "import { ThrottlingError, TransientError } from './shared/ports/retryable'; result = [new ThrottlingError('a'), new TransientError('b')].map((e) => [e.constructor.name, e.name]);",
        resolveDir: join(__dirname, '..', '..', '..'),
        loader: 'ts',
      },
      bundle: true,
      minify: true,
      keepNames: false,
      format: 'iife',
      platform: 'neutral',
      write: false,
      logLevel: 'silent',
    });
    const sandbox: { result?: string[][] } = {};
    runInNewContext(out.outputFiles[0]!.text, sandbox);
    const [[throttlingClass, throttling], [transientClass, transient]] = sandbox.result!;
    // The classes did lose their names: the test would not prove anything otherwise.
    expect(throttlingClass).not.toBe('ThrottlingError');
    expect(transientClass).not.toBe('TransientError');
    expect([throttling, transient]).toEqual(['ThrottlingError', 'TransientError']);
  });
});
