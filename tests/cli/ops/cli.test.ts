import { childEnv, runBin } from '../../local/stack-helpers';

/**
 * The commands through the real bin, with AWS made unreachable: no credentials anywhere and the
 * instance metadata service off, so the SDK's credential chain fails at once, without network.
 */
function noAwsEnv(): NodeJS.ProcessEnv {
  const env = childEnv({});
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent/aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials' };
}

const cli = (args: string[]) => runBin(args, noAwsEnv());

const lines = (text: string) => text.split('\n').filter((l) => l !== '' && !/NodeVersionSupportWarning|node >=22|^To continue|^and security|^More information|^versions published|trace-warnings|^will require/.test(l));

describe('stage commands on the command line', () => {
  it('status without AWS credentials: one line, exit 2', async () => {
    const r = await cli(['status', '--stage', 'prod', '--region', 'eu-west-1']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([
      'wa-analytics: config error: no AWS credentials for reading stack wa-analytics-prod (set AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws sso login)',
    ]);
    expect(r.stdout).toBe('');
  }, 40_000);

  it('requeue with a backwards date range: one line, exit 2, no AWS call', async () => {
    const r = await cli(['requeue', '--stage', 'prod', '--from', '2024-06-11', '--to', '2024-06-10', '--yes']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['wa-analytics: input error: --from 2024-06-11 is after --to 2024-06-10']);
  }, 40_000);

  it('replay --stage of a file that cannot be read: one line, exit 2, before any AWS call', async () => {
    const r = await cli(['replay', '/nonexistent/capture.jsonl', '--stage', 'prod', '--region', 'eu-west-1']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['wa-analytics: input error: cannot read /nonexistent/capture.jsonl: ENOENT']);
  }, 40_000);
});
