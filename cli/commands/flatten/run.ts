import { readFileSync } from 'node:fs';
import { readLocalConfig, type Env } from '../../../shared/config/local';
import type { Envelope } from '../../../shared/envelope';
import { ConfigError, InputError } from '../../../shared/errors';
import { processEnvelope } from '../../../shared/normalize';
import { createPseudonymizer, type PiiMode } from '../../../shared/pii';
import type { Source } from '../../../shared/schema/types';
import { terminalSafeJson } from '../../../shared/text/terminal';
import { readRecordedBody, sourceOfBody, type RecordedBody } from '../../../local/replay-body';
import { checkInstant } from '../../../shared/time';

export interface FlattenOptions {
  source?: Source;
  pii?: PiiMode;
  signature?: string;
  /** Twilio: the URL Twilio signed. */
  url?: string;
  receivedAt?: string;
  dataDir?: string;
}

function readBody(file: string | undefined): Buffer {
  const path = file === undefined || file === '-' ? 0 : file;
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new InputError(`cannot read ${path === 0 ? 'standard input' : path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, { cause });
  }
}

/**
 * `--source`, else the source the body shows: its JSON (see inferSource), or for a body that is
 * not JSON, a Twilio form (see inferFormSource); anything else needs the flag. The one reading
 * replay uses (local/replay-body.ts).
 */
function sourceOf(body: Buffer, where: string, given: Source | undefined): Source {
  if (given !== undefined) return given;
  let recorded: RecordedBody;
  try {
    recorded = readRecordedBody(body, where);
  } catch (cause) {
    throw new InputError(`${where} is neither JSON nor a Twilio form, so its source cannot be told; pass --source`, { cause });
  }
  return sourceOfBody(recorded, undefined);
}

function receivedTs(value: string | undefined): number {
  return value === undefined ? Date.now() : checkInstant('--received-at', value);
}

/**
 * `flatten`: the rows the transform makes from one raw webhook body, as JSON lines. Signatures
 * are checked only when `--signature` gives the header, with the secret from the environment.
 */
export async function flatten(file: string | undefined, options: FlattenOptions, out: (line: string) => void, err: (line: string) => void, env: Env = process.env): Promise<number> {
  const config = readLocalConfig(env, { dataDir: options.dataDir });
  const pii = options.pii ?? config.pii;
  const body = readBody(file);
  const source = sourceOf(body, file === undefined || file === '-' ? 'standard input' : file, options.source);
  const sig = options.signature ?? null;
  if (sig !== null && source === 'meta' && config.appSecret === null) throw new ConfigError('--signature needs WA_APP_SECRET to check a Meta signature');
  if (sig !== null && source === 'wasender' && config.wasenderSecret === null) throw new ConfigError('--signature needs WASENDER_WEBHOOK_SECRET to check a WASenderApi signature');
  if (sig !== null && source === 'twilio') {
    if (config.twilioAuthToken === null) throw new ConfigError('--signature needs TWILIO_AUTH_TOKEN to check a Twilio signature');
    if (options.url === undefined) throw new InputError('--signature of a Twilio body needs --url, the URL Twilio signed');
  }
  const url = source === 'twilio' && options.url !== undefined ? { url: options.url } : {};
  const envelope: Envelope = { source, body, signature: sig, requestId: 'cli-flatten', receivedTs: receivedTs(options.receivedAt), ...url };
  const result = processEnvelope(envelope, {
    metaAppSecret: sig === null ? null : config.appSecret,
    wasenderSecret: sig === null ? null : config.wasenderSecret,
    twilioAuthToken: sig === null ? null : config.twilioAuthToken,
    timeZone: config.timeZone,
    pseudonymize: createPseudonymizer(pii, config.piiKey),
  });
  for (const row of result.rows) out(terminalSafeJson(JSON.stringify(row)));
  // Posted conversions are quarantined item by item: a quarantine row holding less than the body.
  const whole = body.toString('base64');
  const items = result.rows.filter((r) => r.kind === 'quarantine' && r.raw_body !== whole);
  if (items.length > 0) {
    const n = items.length === 1 ? '1 item was' : `${items.length} items were`;
    err(`flatten: ${n} quarantined (${items.map((r) => r.reason).join(', ')}), each in its own quarantine row; the other rows are as stored`);
  } else if (result.quarantined !== null) {
    err(`flatten: the body was quarantined (${result.quarantined}${result.message === undefined ? '' : `: ${result.message}`}); see the quarantine row`);
  }
  return 0;
}
