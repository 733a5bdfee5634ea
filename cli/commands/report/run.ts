import type { AthenaClient } from '@aws-sdk/client-athena';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { resolve } from 'node:path';
import { readTimeZone, resolveDataDir, type Env } from '../../../shared/config/local';
import { InputError } from '../../../shared/errors';
import { spanEnding, spanOfFlags, wholeLake, type ReportSpan } from '../../../shared/report/span';
import { assertTimeZone, dateInZone } from '../../../shared/time';
import { generateReport, generateReportFrom, type GeneratedReport } from '../../../report/generate';

export interface ReportOptions {
  readonly out?: string;
  readonly dataDir?: string;
  readonly stage?: string;
  readonly region?: string;
  readonly from?: string;
  readonly to?: string;
}

/** What `report --stage` talks to; tests pass SDK clients pointed at stand-ins. */
export interface ReportDeps {
  readonly cfn?: CloudFormationClient;
  readonly athena?: AthenaClient;
  readonly now?: () => Date;
  /** Where the line about the span and the bytes scanned goes (stderr). */
  readonly note?: (line: string) => void;
}

/** The default file of `report --stage S`, in the current directory. */
export const stageReportFileName = (stage: string): string => `report-${stage}.html`;

const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * `report`: writes the dashboard (one self-contained HTML file) and prints its path, so
 * `open "$(wa-analytics report)"` works. Locally it reads the data directory (the whole lake unless
 * --from/--to bound it); with --stage, the stage's Athena through the same queries, over
 * --from … --to or the last 28 days ending today (UTC), with the "today so far" panel in the stage's
 * time zone (its TimeZone output) when built during the day, and says on stderr how much Athena scanned.
 * Bad flags or a bad data directory are an InputError: one line and a non-zero exit via main.
 */
export async function runReport(options: ReportOptions, out: (text: string) => void, env: Env = process.env, deps: ReportDeps = {}): Promise<GeneratedReport> {
  const now = deps.now ?? (() => new Date());
  const today = dateInZone(now().getTime(), 'UTC');
  if (options.stage === undefined) {
    if (options.region !== undefined) throw new InputError('--region goes with --stage');
    const span: ReportSpan | undefined = options.from === undefined && options.to === undefined ? undefined : spanOfFlags(options, today, (to) => ({ from: wholeLake.from, to: to ?? today }));
    const dataDir = resolveDataDir(env, { dataDir: options.dataDir });
    const report = await generateReport({ dataDir, out: options.out, now, timeZone: readTimeZone(env), ...(span === undefined ? {} : { span }) });
    out(`${report.path}\n`);
    return report;
  }
  if (options.dataDir !== undefined) throw new InputError('give --data-dir or --stage, not both');
  const span = spanOfFlags(options, today, (to) => spanEnding(to ?? today));
  // Loaded here: the local report needs no AWS SDK.
  const { openStageEngine } = require('../../ops/stage-engine') as typeof import('../../ops/stage-engine');
  const { optionalOutput } = require('../../ops/stage') as typeof import('../../ops/stage');
  const note = deps.note ?? ((line) => process.stderr.write(`${line}\n`));
  const stage = await openStageEngine({ stage: options.stage, region: options.region }, { cfn: deps.cfn, athena: deps.athena });
  let report: GeneratedReport;
  try {
    // "Today" is the stage's, as `today --stage` takes it; a stack from before that output still gets its report, without the panel.
    const zone = optionalOutput(stage.stage, 'TimeZone');
    if (zone === undefined) note(`report: no "today so far" panel: stack ${stage.stage.stackName} has no TimeZone output (redeploy with sls deploy --stage ${options.stage})`);
    const timeZone = zone === undefined ? {} : { timeZone: assertTimeZone(zone) };
    report = await generateReportFrom(stage.engine, { out: resolve(options.out ?? stageReportFileName(options.stage)), dialect: 'athena', database: stage.database, span, now, ...timeZone });
  } finally {
    stage.close();
  }
  const scanned = report.scannedBytes === null ? 'bytes scanned not reported' : `${megabytes(report.scannedBytes)} scanned`;
  note(`report: ${span.from} … ${span.to} from stage ${options.stage} (${stage.database}), ${scanned}`);
  out(`${report.path}\n`);
  return report;
}
