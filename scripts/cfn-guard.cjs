#!/usr/bin/env node
/**
 * Runs the AWS Control Tower proactive rules (cfn-guard, from @cdklabs/cdk-validator-cfnguard) on a
 * compiled CloudFormation template, honouring per-resource suppressions written in the template:
 *
 *   Metadata:
 *     guard:
 *       SuppressedRules: [s3_bucket_object_lock_enabled_check]   # rule name or control id (CT.S3.PR.9)
 *       SuppressionReasons: { s3_bucket_object_lock_enabled_check: why }
 *
 * The Control Tower rules themselves ignore `Metadata.guard.SuppressedRules` (unlike the Guard
 * Rules Registry's), so a rule that some resource suppresses runs from a copy with the registry's
 * suppression filter added. A suppression without a written reason, or naming no known rule, is
 * an error.
 *
 * Usage: node scripts/cfn-guard.cjs TEMPLATE.json SERVICE...   (e.g. s3 lambda iam...)
 * Exit 0 when no rule fails.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const pkg = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
const rulesRoot = path.join(pkg, 'rules', 'control-tower', 'cfn-guard');
const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch];
const guardBin = path.join(pkg, 'bin', 'ubuntu', arch ?? process.arch, 'cfn-guard');

/** Name and control id of each rule file, e.g. { name: 's3_bucket_logging_enabled_check', control: 'CT.S3.PR.2' }. */
function ruleInfo(file, { strict = true } = {}) {
  const text = fs.readFileSync(file, 'utf8');
  const name = /^rule\s+(\w+)\s+when/m.exec(text)?.[1];
  const control = /\[(CT\.[A-Z0-9_]+\.PR\.\d+)\]/.exec(text)?.[1];
  if (!name || !control) {
    if (strict) throw new Error(`${file}: cannot find the rule name and control id`);
    return null;
  }
  return { file, name, control };
}

function ruleFiles(services) {
  return services.flatMap((service) => {
    const dir = path.join(rulesRoot, service);
    if (!fs.existsSync(dir)) throw new Error(`no Control Tower rule set "${service}" under ${rulesRoot}`);
    return fs.readdirSync(dir).filter((f) => f.endsWith('.guard')).sort().map((f) => ruleInfo(path.join(dir, f)));
  });
}

/** Every suppression in the template, validated against all known Control Tower rules. */
function suppressions(template) {
  const known = new Set(fs.readdirSync(rulesRoot).flatMap((s) =>
    fs.readdirSync(path.join(rulesRoot, s)).filter((f) => f.endsWith('.guard')).flatMap((f) => {
      const r = ruleInfo(path.join(rulesRoot, s, f), { strict: false });
      return r ? [r.name, r.control] : [];
    })));
  const found = [];
  const errors = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const guard = resource.Metadata?.guard;
    for (const rule of guard?.SuppressedRules ?? []) {
      const reason = guard.SuppressionReasons?.[rule];
      if (!known.has(rule)) errors.push(`${logicalId}: suppresses unknown rule "${rule}"`);
      if (typeof reason !== 'string' || reason.trim().length < 20) errors.push(`${logicalId}: suppression of ${rule} has no written reason`);
      found.push({ logicalId, rule, reason });
    }
  }
  return { found, errors };
}

const ASSIGNMENT = /^(let\s+\w+\s*=\s*Resources\.\*\[\s*Type\s*==\s*%\w+)\s*\]/gm;

/**
 * The rule's text with the Guard Rules Registry's suppression filter added to each of its resource
 * selections, so resources suppressing it are skipped while other resources' references to them
 * still resolve. Null when the rule has no selection to filter.
 */
function withSuppressionFilter(rule) {
  const text = fs.readFileSync(rule.file, 'utf8');
  const names = JSON.stringify([rule.name, rule.control]).replaceAll(',', ', ');
  const patched = text.replace(ASSIGNMENT, (_, selection) =>
    `${selection}\n  Metadata.guard.SuppressedRules not exists or\n  Metadata.guard.SuppressedRules[*] not in ${names}\n]`);
  return patched === text ? null : patched;
}

function run(templatePath, services) {
  const template = JSON.parse(fs.readFileSync(templatePath, 'utf8'));
  const { found, errors } = suppressions(template);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-guard-'));
  const data = path.join(tmp, 'template.json');
  fs.copyFileSync(templatePath, data);
  const counts = { PASS: 0, SKIP: 0, FAIL: 0 };
  try {
    const rules = ruleFiles(services);
    const ruleArgs = rules.flatMap((rule) => {
      let rulesFile = rule.file;
      if (found.some((s) => s.rule === rule.name || s.rule === rule.control)) {
        const patched = withSuppressionFilter(rule);
        if (patched === null) {
          errors.push(`${rule.control}: cannot apply its suppressions (no resource selection to filter in ${rule.file})`);
        } else {
          rulesFile = path.join(tmp, path.basename(rule.file));
          fs.writeFileSync(rulesFile, patched);
        }
      }
      return ['--rules', rulesFile];
    });
    // One cfn-guard run for all rule files; it prints `<file>/<rule>  PASS|FAIL|SKIP` for each.
    let output;
    let status = 0;
    try {
      output = execFileSync(guardBin, ['validate', ...ruleArgs, '--data', data, '--show-summary', 'all'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    } catch (error) {
      status = error.status;
      output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    }
    if (status !== 0 && status !== 19) throw new Error(`cfn-guard failed (exit ${status}):\n${output}`);
    const verdicts = new Map([...output.matchAll(/^[\w.-]+\.guard\/(\w+)\s+(PASS|FAIL|SKIP)$/gm)].map((m) => [m[1], m[2]]));
    for (const rule of rules) {
      const verdict = verdicts.get(rule.name);
      if (!verdict) throw new Error(`cfn-guard gave no verdict for ${rule.name}:\n${output}`);
      counts[verdict] += 1;
      console.log(`${verdict}  ${rule.control.padEnd(22)} ${rule.name}`);
    }
    if (counts.FAIL > 0 || status === 19) console.log(output.replaceAll(tmp, '<tmp>'));
    if (status === 19 && counts.FAIL === 0) errors.push('cfn-guard reported a failure that no rule verdict shows');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  for (const s of found) console.log(`suppressed  ${s.logicalId}: ${s.rule} — ${String(s.reason).replace(/\s+/g, ' ')}`);
  for (const e of errors) console.error(`error  ${e}`);
  console.log(`cfn-guard summary: PASS ${counts.PASS}, FAIL ${counts.FAIL}, SKIP ${counts.SKIP} (no matching resource), suppressions ${found.length}`);
  return counts.FAIL === 0 && errors.length === 0;
}

const [templatePath, ...services] = process.argv.slice(2);
if (!templatePath || services.length === 0) {
  console.error('usage: cfn-guard.cjs TEMPLATE.json SERVICE...');
  process.exit(2);
}
process.exit(run(templatePath, services) ? 0 : 1);
