import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { readTimeZone, type Env } from '../../../shared/config/local';
import { InputError } from '../../../shared/errors';
import { assertTimeZone } from '../../../shared/time';
import { processIo, type OpsIo } from '../../io';
import { resolveStage } from '../../ops/stage';
import { exitCodeOf, formatStatus, gatherStatus, type Check } from '../../ops/status';

export interface StatusFlags {
  readonly stage: string;
  readonly region?: string;
  readonly days?: string;
  readonly maxFreshness?: string;
  readonly timeZone?: string;
}

function wholeNumber(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new InputError(`${flag} must be a whole number from ${min} to ${max} (got "${text}")`);
  return n;
}

/**
 * `status --stage S`: prints the checks and returns the exit code (1 when any check failed), so
 * a cron job or CI step can run it as is.
 */
export async function runStatus(flags: StatusFlags, io: OpsIo = processIo, env: Env = process.env): Promise<{ code: 0 | 1; checks: Check[] }> {
  const days = wholeNumber('--days', flags.days, 3, 1, 14);
  const maxFreshnessSeconds = wholeNumber('--max-freshness', flags.maxFreshness, 900, 60, 86_400);
  const timeZone = flags.timeZone === undefined ? readTimeZone(env) : assertTimeZone(flags.timeZone);
  const stage = await resolveStage({ stage: flags.stage, region: flags.region });
  const config = { region: stage.region };
  const clients = { sfn: new SFNClient(config), cloudwatch: new CloudWatchClient(config), athena: new AthenaClient(config), s3: new S3Client(config) };
  const checks = await gatherStatus(clients, stage, { now: io.now?.() ?? new Date(), timeZone, days, maxFreshnessSeconds, sleep: io.sleep });
  io.out(formatStatus(stage, checks).trimEnd());
  return { code: exitCodeOf(checks), checks };
}
