import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { definitionPlaceholders, definitionText, loadDefinitionText, retryableErrorsPlaceholder } from '../../../services/daily/definition';
import { retryableErrorNames } from '../../../shared/ports/retryable';

const aslFile = join(__dirname, '..', '..', '..', 'services', 'daily', 'state-machine.asl.json');

/** Every Retry of a definition, Map branches included. */
function retries(states: Record<string, any>): { state: string; retry: any }[] {
  return Object.entries(states).flatMap(([name, s]) => [
    ...(s.Retry ?? []).map((retry: any) => ({ state: name, retry })),
    ...(s.ItemProcessor ? retries(s.ItemProcessor.States) : []),
  ]);
}

describe('the state machine definition as loaded', () => {
  it('spells the retryable names once: the ASL file names only the placeholder', () => {
    const file = readFileSync(aslFile, 'utf8');
    expect(file).not.toContain('ThrottlingError');
    expect(file).not.toContain('Lambda.ServiceException');
    const all = retries(JSON.parse(file).States);
    expect(all.length).toBe(12);
    for (const { state, retry } of all) expect(`${state}: ${JSON.stringify(retry.ErrorEquals)}`).toBe(`${state}: ${JSON.stringify([retryableErrorsPlaceholder])}`);
  });

  it('fills every Retry with retryableErrorNames and leaves no placeholder but the task ARNs', () => {
    const all = retries(JSON.parse(definitionText).States);
    expect(all.length).toBe(12);
    for (const { retry } of all) expect(retry.ErrorEquals).toEqual([...retryableErrorNames]);
    expect(definitionText).not.toContain(retryableErrorsPlaceholder);
    expect(definitionPlaceholders()).toEqual([
      'AttributionCohortsFunctionArn',
      'DetectAnomaliesFunctionArn',
      'EvaluateExperimentsFunctionArn',
      'NotifyFailureFunctionArn',
      'PostDigestFunctionArn',
      'PublishReportFunctionArn',
      'RebuildPartitionFunctionArn',
      'RegisterRawFunctionArn',
      'ResolveInputFunctionArn',
    ]);
  });

  it('publishes the report before the digest: DetectAnomalies -> PublishReport -> PostDigest, a failed publish still posting the digest, then alerting', () => {
    const states = JSON.parse(definitionText).States;
    expect(states.DetectAnomalies.Next).toBe('PublishReport');
    expect(states.PublishReport).toMatchObject({ Type: 'Task', Resource: '${PublishReportFunctionArn}', ResultPath: '$.report', Next: 'PostDigest' });
    expect(states.PublishReport.Retry).toEqual(states.PostDigest.Retry);
    // Its Catch leads to the digest, with the error beside the run, not over it.
    expect(states.PublishReport.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.reportFailure', Next: 'PostDigest' }]);
    expect(states.PostDigest.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'NotifyFailure' }]);
    expect(states.PostDigest.Next).toBe('DashboardPublished');
    expect(states.DashboardPublished).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.reportFailure', IsPresent: true, Next: 'ReportNotPublished' }], Default: 'Done' });
    expect(states.ReportNotPublished).toMatchObject({ Type: 'Pass', Parameters: { 'date.$': '$.date', 'failure.$': '$.reportFailure' }, Next: 'NotifyFailure' });
  });

  it('keeps the other names of a list around the placeholder, in order', () => {
    const definition = { StartAt: 'A', States: { A: { Type: 'Task', Resource: 'x', Retry: [{ ErrorEquals: ['States.Timeout', retryableErrorsPlaceholder, 'Custom'] }], End: true } } };
    expect(JSON.parse(loadDefinitionText(definition)).States.A.Retry[0].ErrorEquals).toEqual(['States.Timeout', ...retryableErrorNames, 'Custom']);
  });

  it('refuses the placeholder outside a Retry, where it would silently match nothing', () => {
    const inCatch = { StartAt: 'A', States: { A: { Type: 'Task', Resource: 'x', Catch: [{ ErrorEquals: [retryableErrorsPlaceholder], Next: 'B' }], End: true }, B: { Type: 'Succeed' } } };
    expect(() => loadDefinitionText(inCatch)).toThrow(/only filled inside a Retry/);
  });
});
