import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { readExistingPii, type Env } from '../../../shared/config/local';
import { ConfigError, InputError } from '../../../shared/errors';
import { canonicalUserId, createPseudonymizer, parsePiiMode, type PiiMode } from '../../../shared/pii';
import { terminalSafe } from '../../../shared/text/terminal';
import type { OpsIo } from '../../io';
import { awsFailure, requireOutput, resolveStage } from '../../ops/stage';

/**
 * `wa-analytics pseudonymize VALUE… [--stage S | --data-dir D]`: what a phone number, a user id or
 * a message id becomes in the stored rows, so a person can still look one up in a lake whose
 * `pii` mode is hash. Locally the key is the data directory's (WA_PII_KEY, else its pii.key); on
 * a stage it is the SSM parameter the transform reads (named by the stack's outputs).
 */

export interface PseudonymizeFlags {
  readonly stage?: string;
  readonly region?: string;
  readonly dataDir?: string;
}

/** Clients for the stage path; tests pass mocked ones. */
export interface PseudonymizeClients {
  readonly cfn?: CloudFormationClient;
  readonly ssm?: SSMClient;
}

async function stageKey(flags: PseudonymizeFlags & { stage: string }, clients: PseudonymizeClients): Promise<{ mode: PiiMode; key: string | null; where: string }> {
  const stage = await resolveStage({ stage: flags.stage, region: flags.region }, clients.cfn);
  const mode = parsePiiMode(requireOutput(stage, 'PiiMode'), `the output PiiMode of stack ${stage.stackName}`);
  if (mode === 'raw') return { mode, key: null, where: `stage ${stage.name}` };
  const name = requireOutput(stage, 'PiiKeyParameterName');
  const ssm = clients.ssm ?? new SSMClient({ region: stage.region });
  let value: string | undefined;
  try {
    value = (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter?.Value;
  } catch (error) {
    throw awsFailure(`reading the PII key ${name}`, error);
  }
  if (value === undefined || value === '') throw new ConfigError(`parameter ${name} is empty or missing`);
  return { mode: 'hash', key: value, where: `stage ${stage.name}` };
}

/**
 * Prints one line per value: the value as given, a tab, what the rows store for it. A phone
 * number is first written as WhatsApp writes it (`+55 11 98765-4321` → `5511987654321`), as the
 * registry does. Returns the printed pseudonyms (tests compare them with stored rows).
 */
export async function runPseudonymize(values: readonly string[], flags: PseudonymizeFlags, io: Pick<OpsIo, 'out' | 'err'>, env: Env = process.env, clients: PseudonymizeClients = {}): Promise<string[]> {
  if (values.length === 0) throw new InputError('give at least one value to pseudonymize');
  if (flags.stage !== undefined && flags.dataDir !== undefined) throw new InputError('give either --stage or --data-dir, not both');
  let setting: { mode: PiiMode; key: string | null; where: string };
  if (flags.stage !== undefined) {
    setting = await stageKey({ ...flags, stage: flags.stage }, clients);
  } else {
    const local = readExistingPii(env, { dataDir: flags.dataDir });
    setting = { mode: local.pii, key: local.piiKey, where: local.dataDir };
  }
  if (setting.mode === 'raw') io.err(`note: ${setting.where} keeps PII raw (pii: raw): values are stored as they are`);
  const pseudonymize = createPseudonymizer(setting.mode, setting.key ?? undefined);
  const out = values.map((v) => pseudonymize(canonicalUserId(v)));
  values.forEach((v, i) => {
    io.out(`${terminalSafe(v)}\t${out[i]}`);
  });
  return out;
}
