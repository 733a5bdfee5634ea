import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';

/** The repository root (serverless.yml's directory). */
export const repoRoot = resolve(__dirname, '..', '..');

/** A compiled CloudFormation template, loosely typed: the tests walk it like data. */
export interface Template {
  Resources: Record<string, { Type: string; Properties?: any; Metadata?: any; DependsOn?: string | string[] }>;
  Outputs?: Record<string, { Value: unknown }>;
}

/** The environment without any AWS identity, as check-template.sh runs it: packaging must not need one. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete env[name];
  return { ...env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true', SLS_TELEMETRY_DISABLED: '1' };
}

/**
 * Runs `sls package --stage <stage>` into `dir` and returns the compiled update template. The
 * packager leaves a work folder per function in the temp dir, so it gets one of its own, removed
 * afterwards.
 */
export async function packageStage(stage: string, dir: string): Promise<Template> {
  const tmp = mkdtempSync(join(tmpdir(), 'wa-sls-'));
  try {
    await promisify(execFile)('npx', ['--no-install', 'sls', 'package', '--stage', stage, '--package', dir], {
      cwd: repoRoot,
      env: { ...offlineEnv(), TMPDIR: tmp },
      maxBuffer: 16 * 1024 * 1024,
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}

/** A stage packaged once for the whole test run: its folder (the zips) and compiled template. */
export interface PackagedStage {
  readonly dir: string;
  readonly template: Template;
}

/**
 * `sls package --stage <stage>`, built once per test run and shared by every test file that asks
 * (jest runs files in separate workers, so the sharing goes through the per-run folder that
 * tests/setup/global-setup.cjs creates). A lock folder makes one worker package at a time: the
 * runs also share serverless-esbuild's work folder in the repository. A failed build is reported
 * to every waiter.
 */
export async function packagedStage(stage: string, maxWaitMs = 300_000): Promise<PackagedStage> {
  const root = process.env.WA_TEST_PACKAGE_DIR;
  if (!root) throw new Error('WA_TEST_PACKAGE_DIR is not set: run the tests through jest.config.cjs (its globalSetup creates the folder)');
  const dir = join(root, stage);
  const done = `${dir}.done`;
  const failed = `${dir}.failed`;
  const lock = join(root, 'packaging.lock');
  const read = (): PackagedStage => ({ dir, template: JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template });
  for (const deadline = Date.now() + maxWaitMs; Date.now() < deadline; await sleep(200)) {
    if (existsSync(done)) return read();
    if (existsSync(failed)) throw new Error(`packaging ${stage} failed earlier in this run: ${readFileSync(failed, 'utf8')}`);
    try {
      mkdirSync(lock);
    } catch {
      continue; // another worker is packaging
    }
    try {
      if (existsSync(done)) return read();
      try {
        await packageStage(stage, dir);
      } catch (error) {
        writeFileSync(failed, String((error as Error)?.message ?? error));
        throw error;
      }
      writeFileSync(done, '');
      return read();
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  throw new Error(`waited ${maxWaitMs / 1000} s for another test file to package ${stage}`);
}

/** Logical ids and resources of one CloudFormation type. */
export function resourcesOfType(template: Template, type: string): [string, any][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** The entries of a zip file (stored or deflated), read through its central directory. */
export function zipEntries(zip: Buffer): Record<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip file');
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const entries: Record<string, Buffer> = {};
  for (let i = 0; i < count; i += 1) {
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const local = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    entries[name] = method === 8 ? inflateRawSync(data) : Buffer.from(data);
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
