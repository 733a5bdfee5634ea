import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './package';

/*
 * resources/api.cjs with the stage parameter twilioBaseUrl set (the packaged stages, tested in
 * template.test.ts, leave it empty): the generator is called as serverless.yml calls it, in a
 * plain node process (it loads the route table through tsx, which jest's module system is not).
 */
interface Generated {
  Resources: Record<string, any>;
  Outputs: Record<string, any>;
}

const script = `
const api = require(process.argv[1]);
const values = { 'param:verifyTokenParam': '/wa-analytics/prod/verify-token', 'param:twilioBaseUrl': process.argv[2], 'sls:stage': 'prod' };
api.cloudFormation({ resolveVariable: async (name) => values[name] }).then(
  (r) => process.stdout.write(JSON.stringify(r)),
  (e) => { process.stderr.write(e.message); process.exit(1); },
);`;

/** The generator's resources and outputs for a stage whose twilioBaseUrl is this; its error message when it refuses. */
async function generate(twilioBaseUrl: string): Promise<Generated> {
  try {
    const { stdout } = await promisify(execFile)('node', ['-e', script, join(repoRoot, 'resources/api.cjs'), twilioBaseUrl], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(stdout) as Generated;
  } catch (error) {
    throw new Error((error as { stderr?: string }).stderr ?? String(error));
  }
}

describe('the twilioBaseUrl stage parameter', () => {
  it('starts the URL the Twilio routes record, and the console URLs they output, with the given base, normalized', async () => {
    const { Resources, Outputs } = await generate('HTTPS://Hooks.Example.com/wa/');
    for (const id of ['ApiMethodTwilioWebhookPost', 'ApiMethodTwilioStatusPost']) {
      const templates = Resources[id].Properties.Integration.RequestTemplates;
      expect(templates['application/x-www-form-urlencoded']['Fn::Sub'][1]).toEqual({ DeliveryStreamName: { Ref: 'DeliveryStream' }, TwilioBaseUrl: 'https://hooks.example.com/wa' });
    }
    expect(Outputs.TwilioWebhookUrl.Value).toBe('https://hooks.example.com/wa/webhooks/twilio');
    expect(Outputs.TwilioStatusUrl.Value).toBe('https://hooks.example.com/wa/webhooks/twilio/status');
    // The other routes' template has no such placeholder.
    expect(Resources.ApiMethodMetaWebhookPost.Properties.Integration.RequestTemplates['application/json']['Fn::Sub'][1]).toEqual({ DeliveryStreamName: { Ref: 'DeliveryStream' } });
  });

  it('moves the stage to a new deployment when the base changes', async () => {
    const deployment = (r: Record<string, unknown>) => Object.keys(r).find((k) => k.startsWith('ApiDeployment'));
    const a = deployment((await generate('https://a.example.com')).Resources);
    const b = deployment((await generate('https://b.example.com')).Resources);
    expect(a).toMatch(/^ApiDeployment[0-9a-f]{12}$/);
    expect(b).not.toBe(a);
  });

  it.each(["https://hooks.example.com/?x=1", 'ftp://hooks.example.com', "https://hooks.example.com/it's", 'https://hooks.example.com/$x', 'hooks.example.com'])(
    'refuses %s, naming the parameter, before anything is packaged',
    async (value) => {
      await expect(generate(value)).rejects.toThrow(/twilioBaseUrl must be an http\(s\) base URL/);
    },
  );
});
