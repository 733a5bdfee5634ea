import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './package';

// scripts/cfn-guard.cjs on tiny templates: the suppression mechanics the stack check relies on.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wa-guard-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A bucket that passes CT.S3.PR.1 (block public access) but has no Object Lock (CT.S3.PR.9). */
function bucket(metadata?: object) {
  return {
    Type: 'AWS::S3::Bucket',
    ...(metadata ? { Metadata: metadata } : {}),
    Properties: {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    },
  };
}

function guard(resources: object, name: string) {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ Resources: resources }));
  const run = spawnSync('node', ['scripts/cfn-guard.cjs', file, 's3'], { cwd: repoRoot, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** cfn-guard's failure report for one rule file, from the runner's output. */
function failureReport(output: string, ruleFile: string): string {
  const start = output.indexOf(`against rules ${ruleFile}`);
  if (start < 0) throw new Error(`no failure report for ${ruleFile}`);
  const end = output.indexOf('Evaluating data', start);
  return output.slice(start, end < 0 ? undefined : end);
}

const REASON = 'a reason long enough to be one, written where the suppression is';

test('an unsuppressed failing rule fails the check and names the control', () => {
  const { status, output } = guard({ Lake: bucket() }, 'plain');
  expect(status).toBe(1);
  expect(output).toMatch(/^FAIL {2}CT\.S3\.PR\.9 /m);
  expect(output).toMatch(/^PASS {2}CT\.S3\.PR\.1 /m);
});

test.each([['s3_bucket_object_lock_enabled_check'], ['CT.S3.PR.9']])('a suppression by %s with a reason skips only that rule', (rule) => {
  const suppressed = bucket({ guard: { SuppressedRules: [rule], SuppressionReasons: { [rule]: REASON } } });
  const ok = guard({ Lake: suppressed }, `by-${rule}`);
  expect(ok.output).not.toMatch(/^FAIL {2}CT\.S3\.PR\.9 /m);
  expect(ok.output).toMatch(/^PASS {2}CT\.S3\.PR\.1 /m);
  expect(ok.output).toContain(`suppressed  Lake: ${rule}`);
  // The rule still applies to every other bucket.
  const other = guard({ Lake: suppressed, Other: bucket() }, `other-${rule}`);
  expect(other.status).toBe(1);
  expect(other.output).toMatch(/^FAIL {2}CT\.S3\.PR\.9 /m);
  const pr9 = failureReport(other.output, 'ct-s3-pr-9.guard');
  expect(pr9).toMatch(/Resource = Other/);
  expect(pr9).not.toMatch(/Resource = Lake/);
});

test('a suppression without a written reason is an error', () => {
  const { status, output } = guard({ Lake: bucket({ guard: { SuppressedRules: ['CT.S3.PR.9'] } }) }, 'no-reason');
  expect(status).toBe(1);
  expect(output).toContain('suppression of CT.S3.PR.9 has no written reason');
});

test('a suppression naming no known rule is an error', () => {
  const metadata = { guard: { SuppressedRules: ['S3_NO_SUCH_RULE'], SuppressionReasons: { S3_NO_SUCH_RULE: REASON } } };
  const { status, output } = guard({ Lake: bucket(metadata) }, 'unknown');
  expect(status).toBe(1);
  expect(output).toContain('suppresses unknown rule "S3_NO_SUCH_RULE"');
});
