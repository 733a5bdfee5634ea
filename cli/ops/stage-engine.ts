import { AthenaClient } from '@aws-sdk/client-athena';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { AthenaQueryEngine } from '../../shared/adapters/aws/athena-engine';
import type { QueryEngine } from '../../shared/ports/query-engine';
import { requireOutput, resolveStage, type Stage } from './stage';

/** A deployed stage's Athena behind the QueryEngine port, for the commands that read its tables. */
export interface StageEngine {
  readonly stage: Stage;
  readonly engine: QueryEngine;
  /** The stage's Glue database (the queries name it). */
  readonly database: string;
  /** Releases the SDK client. */
  close(): void;
}

export interface StageEngineFlags {
  readonly stage: string;
  readonly region?: string;
}

/**
 * The stage's workgroup (its result location and per-query scan cutoff) and database from the
 * stack outputs; queries poll every half second and give up after `timeoutMs` (default 5 min).
 */
export async function openStageEngine(flags: StageEngineFlags, clients: { cfn?: CloudFormationClient; athena?: AthenaClient } = {}, timeoutMs = 300_000): Promise<StageEngine> {
  const stage = await resolveStage({ stage: flags.stage, region: flags.region }, clients.cfn);
  const workGroup = requireOutput(stage, 'AthenaWorkgroup');
  const database = requireOutput(stage, 'GlueDatabaseName');
  const athena = clients.athena ?? new AthenaClient({ region: stage.region });
  return {
    stage,
    engine: new AthenaQueryEngine(athena, { workGroup, database, pollMs: 500, timeoutMs }),
    database,
    close: () => {
      if (clients.athena === undefined) athena.destroy();
    },
  };
}
