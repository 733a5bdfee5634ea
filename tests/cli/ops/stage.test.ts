import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { requireOutput, resolveStage } from '../../../cli/ops/stage';
import { ConfigError, InputError } from '../../../shared/errors';
import { prodOutputs } from './ops-fixtures';

const cfn = mockClient(CloudFormationClient);

beforeEach(() => cfn.reset());

describe('stage resolution', () => {
  it("reads the stage's outputs from stack wa-analytics-<stage>", async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'wa-analytics-prod', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(0), Outputs: prodOutputs }] });
    const stage = await resolveStage({ stage: 'prod', region: 'eu-west-1' });
    expect(cfn.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([{ StackName: 'wa-analytics-prod' }]);
    expect(stage).toMatchObject({ name: 'prod', stackName: 'wa-analytics-prod', region: 'eu-west-1', fromFlags: false });
    expect(requireOutput(stage, 'DeliveryStreamName')).toBe('wa-analytics-prod-raw');
  });

  it('lets --stream override the output, and skips CloudFormation when the region is given too', async () => {
    const stage = await resolveStage({ stage: 'prod', region: 'eu-west-1', stream: 'my-stream' });
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
    expect(requireOutput(stage, 'DeliveryStreamName')).toBe('my-stream');
    expect(() => requireOutput(stage, 'DataBucketName')).toThrow('stack wa-analytics-prod has no output DataBucketName (the lake bucket); pass --region without --stream to read the stack');
  });

  it('names an unknown stage in one line', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id wa-analytics-qa does not exist'), { name: 'ValidationError' }));
    const error = await resolveStage({ stage: 'qa', region: 'eu-west-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('unknown stage "qa": no stack wa-analytics-qa in eu-west-1 (deploy it with sls deploy --stage qa, or pass --region)');
  });

  it("says there are no credentials when the SDK's credential chain finds none", async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const error = await resolveStage({ stage: 'prod', region: 'eu-west-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('no AWS credentials for reading stack wa-analytics-prod (set AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws sso login)');
  });

  it('names an output the stack lacks, and refuses a stage name CloudFormation could not hold', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'wa-analytics-dev', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(0), Outputs: prodOutputs.slice(0, 4) }] });
    const stage = await resolveStage({ stage: 'dev', region: 'eu-west-1' });
    expect(() => requireOutput(stage, 'DailyStateMachineArn')).toThrow(
      'stack wa-analytics-dev has no output DailyStateMachineArn (the daily workflow state machine); redeploy with sls deploy --stage dev',
    );
    await expect(resolveStage({ stage: 'prod; rm -rf' })).rejects.toThrow(InputError);
  });
});
