import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { awsFailure } from '../../shared/adapters/aws/errors';
import { ConfigError, errorMessage, InputError } from '../../shared/errors';

/**
 * Which deployed stage a command talks to. Everything comes from the stack's outputs
 * (resources/outputs.yml), so the CLI never guesses a resource name the template could change;
 * flags override single values, and a stream name plus a region skip CloudFormation entirely.
 */

/** The outputs the CLI reads (resources/outputs.yml). */
export const stageOutputNames = ['DeliveryStreamName', 'DataBucketName', 'GlueDatabaseName', 'Region', 'DailyStateMachineArn', 'AthenaWorkgroup', 'PiiMode', 'PiiKeyParameterName', 'TimeZone', 'TwilioWebhookUrl', 'TwilioStatusUrl'] as const;
export type StageOutputName = (typeof stageOutputNames)[number];

export interface StageFlags {
  readonly stage: string;
  /** `--region`; else AWS_REGION / AWS_DEFAULT_REGION / the profile's region. */
  readonly region?: string;
  /** `--stream`: the Firehose stream, overriding the stack output. */
  readonly stream?: string;
}

/** A resolved stage: the stack's outputs by name (with flag overrides applied). */
export interface Stage {
  readonly name: string;
  readonly stackName: string;
  readonly region: string;
  readonly outputs: Readonly<Partial<Record<string, string>>>;
  /** True when the outputs came from flags only (no DescribeStacks call). */
  readonly fromFlags: boolean;
}

/** Why each output matters, for the error line when a stack does not have it. */
const purpose: Record<StageOutputName, string> = {
  DeliveryStreamName: 'the Firehose stream to send into',
  DataBucketName: 'the lake bucket',
  GlueDatabaseName: 'the Glue database',
  Region: 'the region',
  DailyStateMachineArn: 'the daily workflow state machine',
  AthenaWorkgroup: 'the Athena workgroup',
  PiiMode: "the stage's PII mode",
  PiiKeyParameterName: 'the SSM parameter of the PII key',
  TimeZone: "the stage's reporting time zone",
  TwilioWebhookUrl: 'the URL Twilio signs for incoming messages',
  TwilioStatusUrl: 'the URL Twilio signs for status callbacks',
};

const STAGE_RE = /^[A-Za-z0-9-]{1,64}$/;

/** The CloudFormation stack of a stage, as serverless.yml names it. */
export function stackNameOf(stage: string): string {
  return `wa-analytics-${stage}`;
}

// Defined with the rest of the AWS error handling; re-exported for the stage commands.
export { awsFailure } from '../../shared/adapters/aws/errors';

/** The stage's outputs; throws one clear ConfigError for an unknown stage or missing credentials. */
export async function resolveStage(flags: StageFlags, cfn?: CloudFormationClient): Promise<Stage> {
  if (!STAGE_RE.test(flags.stage)) throw new InputError(`--stage must be letters, digits and hyphens (got "${flags.stage}")`);
  const stackName = stackNameOf(flags.stage);
  const overrides: Record<string, string> = flags.stream === undefined ? {} : { DeliveryStreamName: flags.stream };
  if (flags.stream !== undefined && flags.region !== undefined) {
    return { name: flags.stage, stackName, region: flags.region, outputs: { ...overrides, Region: flags.region }, fromFlags: true };
  }
  const client = cfn ?? new CloudFormationClient(flags.region === undefined ? {} : { region: flags.region });
  let outputs: Output[];
  try {
    const answer = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = answer.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    // CloudFormation answers an unknown stack with a ValidationError "Stack with id … does not exist".
    if (/does not exist/.test(errorMessage(error))) {
      const where = await regionOf(client, flags.region);
      throw new ConfigError(`unknown stage "${flags.stage}": no stack ${stackName} in ${where} (deploy it with sls deploy --stage ${flags.stage}, or pass --region)`, { cause: error });
    }
    throw awsFailure(`reading stack ${stackName}`, error);
  }
  const byName: Record<string, string> = {};
  for (const o of outputs) if (o.OutputKey !== undefined && o.OutputValue !== undefined) byName[o.OutputKey] = o.OutputValue;
  const region = flags.region ?? byName.Region ?? (await regionOf(client, undefined));
  return { name: flags.stage, stackName, region, outputs: { ...byName, ...overrides }, fromFlags: false };
}

async function regionOf(client: CloudFormationClient, flag: string | undefined): Promise<string> {
  if (flag !== undefined) return flag;
  try {
    return await client.config.region();
  } catch {
    return 'the default region';
  }
}

/** An output the command cannot do without; a ConfigError naming the output when it is absent. */
export function requireOutput(stage: Stage, name: StageOutputName): string {
  const value = stage.outputs[name];
  if (value !== undefined && value !== '') return value;
  const hint = stage.fromFlags ? 'pass --region without --stream to read the stack' : `redeploy with sls deploy --stage ${stage.name}`;
  throw new ConfigError(`stack ${stage.stackName} has no output ${name} (${purpose[name]}); ${hint}`);
}

/** An output that may be absent (a check that needs it is skipped, with a reason). */
export function optionalOutput(stage: Stage, name: StageOutputName): string | undefined {
  const value = stage.outputs[name];
  return value === undefined || value === '' ? undefined : value;
}
