import type { Output } from '@aws-sdk/client-cloudformation';
import type { OpsIo } from '../../../cli/io';
import type { Progress } from '../../../cli/ops/progress';

/** The outputs of a deployed prod stack (resources/outputs.yml), with the workflow's two. */
export const prodOutputs: Output[] = [
  { OutputKey: 'DeliveryStreamName', OutputValue: 'wa-analytics-prod-raw' },
  { OutputKey: 'DataBucketName', OutputValue: 'wa-analytics-prod-data-123' },
  { OutputKey: 'GlueDatabaseName', OutputValue: 'whatsapp_analytics' },
  { OutputKey: 'Region', OutputValue: 'eu-west-1' },
  { OutputKey: 'DailyStateMachineArn', OutputValue: 'arn:aws:states:eu-west-1:123456789012:stateMachine:wa-analytics-prod-daily' },
  { OutputKey: 'AthenaWorkgroup', OutputValue: 'wa-analytics-prod' },
];

export function stackAnswer(outputs: Output[] = prodOutputs) {
  return { Stacks: [{ StackName: 'wa-analytics-prod', StackStatus: 'UPDATE_COMPLETE' as const, CreationTime: new Date(0), Outputs: outputs }] };
}

/** A terminal that records what was printed and answers the confirmation with `answer`. */
export function recordingIo(answer = true, now?: Date): OpsIo & { stdout: string[]; stderr: string[]; questions: string[]; bars: { label: string; total: number; last: unknown }[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const questions: string[] = [];
  const bars: { label: string; total: number; last: unknown }[] = [];
  return {
    stdout,
    stderr,
    questions,
    bars,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    confirm: async (q) => {
      questions.push(q);
      return answer;
    },
    progress: (label, total): Progress => {
      const bar = { label, total, last: undefined as unknown };
      bars.push(bar);
      return { update: (done, counts) => void (bar.last = { done, ...counts }), setTotal: (n) => void (bar.total = n), stop: () => undefined };
    },
    sleep: async () => undefined,
    ...(now === undefined ? {} : { now: () => now }),
  };
}
