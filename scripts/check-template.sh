#!/usr/bin/env bash
# Offline checks of the deployable stack: package dev and prod (no AWS credentials, no network),
# cfn-lint both compiled templates, and run the AWS Control Tower proactive rules (cfn-guard) on prod.
# Usage: bash scripts/check-template.sh [OUT_DIR]   (OUT_DIR keeps the packages; default: a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-}"
remove_out=""
if [[ -z "$out" ]]; then
  out="$(mktemp -d)"
  remove_out=1
fi
# The packager leaves a work folder per function in the temp dir: it gets one of its own.
sls_tmp="$(mktemp -d)"
trap 'rm -rf "$sls_tmp"; if [[ -n "$remove_out" ]]; then rm -rf "$out"; fi' EXIT

# Packaging must never depend on a developer's AWS identity: drop any that the environment carries.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off

for stage in dev prod; do
  start=$SECONDS
  TMPDIR="$sls_tmp" npx --no-install sls package --stage "$stage" --package "$out/$stage"
  echo "packaged $stage in $((SECONDS - start))s; transform bundle: $(stat -c %s "$out/$stage/transform.zip") bytes zipped"
done

# cfn-lint ships with every machine image of this project (pip, Python 3.11). PyPI is not reachable
# from here, so a missing cfn-lint cannot be installed on the fly: fail loudly instead of skipping.
if ! command -v cfn-lint >/dev/null 2>&1; then
  echo "cfn-lint not found on PATH: it is required (the machine image provides it)" >&2
  exit 1
fi
for stage in dev prod; do
  cfn-lint --format parseable -- "$out/$stage/cloudformation-template-update-stack.json"
  echo "cfn-lint $stage: no errors"
done

node scripts/cfn-guard.cjs "$out/prod/cloudformation-template-update-stack.json" \
  s3 apigateway lambda stepfunctions athena cloudwatch keymanagementservice identityandaccessmanagement sqs
