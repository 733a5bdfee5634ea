import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DailyContext } from '../../../services/daily/context';
import { resolveInputHandler, taskHandlers, taskStates } from '../../../services/daily/handlers';
import type { PartitionWriter } from '../../../shared/ports/partition-writer';

const aslFile = join(__dirname, '..', '..', '..', 'services', 'daily', 'state-machine.asl.json');

/** Names of every Task state of a definition, Map branches included. */
function taskStateNames(states: Record<string, any>): string[] {
  return Object.entries(states).flatMap(([name, s]) => [...(s.Type === 'Task' ? [name] : []), ...(s.ItemProcessor ? taskStateNames(s.ItemProcessor.States) : [])]);
}

/** A context whose ports record what they were asked; only the partition writer is used below. */
function recordingContext(writes: string[], timeZone = 'UTC'): DailyContext {
  const unused = () => {
    throw new Error('not used by this test');
  };
  const partitions: PartitionWriter = { write: async (table, dt, select) => void writes.push(`${table} ${dt} ${select.slice(0, 6)}`) };
  return { catalog: { registerPartitions: unused, listPartitions: unused }, engine: { query: unused, close: unused }, store: { getText: unused, putText: unused, deletePrefix: unused }, notifier: { post: unused }, partitions, dialect: 'duckdb', database: 'whatsapp_analytics', timeZone, attributionDays: 7 };
}

describe('task handlers built with their context', () => {
  it('cover exactly the Task states of the deployed definition', () => {
    const asl = JSON.parse(readFileSync(aslFile, 'utf8'));
    expect([...taskStates].sort()).toEqual([...new Set(taskStateNames(asl.States))].sort());
    expect(Object.keys(taskHandlers(recordingContext([]))).sort()).toEqual([...taskStates].sort());
  });

  it('run their step over the context they were built with, not another one', async () => {
    const a: string[] = [];
    const b: string[] = [];
    const rebuildA = taskHandlers(recordingContext(a)).RebuildDailyCtrPartition as (item: unknown) => Promise<unknown>;
    const rebuildB = taskHandlers(recordingContext(b)).RebuildCuratedPartition as (item: unknown) => Promise<unknown>;
    expect(await rebuildA({ table: 'daily_ctr', dt: '2024-05-02', lookbackDays: 1, attributionDays: 7 })).toEqual({ table: 'daily_ctr', dt: '2024-05-02' });
    await rebuildB({ table: 'events', dt: '2024-05-01', lookbackDays: 1, attributionDays: 7 });
    expect(a).toEqual(['daily_ctr 2024-05-02 WITH c']);
    expect(b).toEqual(['events 2024-05-01 SELECT']);
  });

  it("rebuild an item from an execution started before attribution (no attributionDays) with the context's window", async () => {
    const writes: string[] = [];
    const selects: string[] = [];
    const ctx = { ...recordingContext(writes), attributionDays: 2, partitions: { write: async (_t: string, _d: string, select: string) => void selects.push(select) } } as DailyContext;
    await (taskHandlers(ctx).RebuildDailyCtrPartition as (item: unknown) => Promise<unknown>)({ table: 'daily_ctr', dt: '2024-05-10', lookbackDays: 1 });
    // cohortSpans(05-10, 1, 2).read: 05-10 − (2 + 2 + 3) … 05-10 + (1 + 2 + 1).
    expect(selects[0]).toContain("dt BETWEEN '2024-05-03' AND '2024-05-14'");
  });

  it('resolve "yesterday" in the time zone they were given, read nowhere else', async () => {
    // 2024-05-02 20:00 UTC is already 2024-05-03 in Tokyo: yesterday there is 2024-05-02.
    const now = Date.parse('2024-05-02T20:00:00Z');
    jest.useFakeTimers({ now, doNotFake: ['nextTick', 'setImmediate'] });
    try {
      expect((await resolveInputHandler({ timeZone: 'Asia/Tokyo' })({})).date).toBe('2024-05-02');
      expect((await resolveInputHandler({ timeZone: 'UTC' })({})).date).toBe('2024-05-01');
      expect((await resolveInputHandler({ timeZone: 'UTC' })(null)).date).toBe('2024-05-01');
    } finally {
      jest.useRealTimers();
    }
  });
});
