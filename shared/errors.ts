/**
 * One error base class for the project. Every subclass has a stable `code` so that the CLI can
 * print one clear line and callers can branch without string matching; `cause` keeps the chain.
 */
export class WaError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Configuration is missing or invalid (environment, stage parameters, flags). */
export class ConfigError extends WaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config', message, options);
  }
}

/** User input (a file, a flag, a date) cannot be used. */
export class InputError extends WaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('input', message, options);
  }
}

/** A Firehose record does not hold an envelope the ingestion API could have written. */
export class EnvelopeError extends WaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('envelope', message, options);
  }
}

/** A mapping template or SQL template cannot be rendered. */
export class TemplateError extends WaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('template', message, options);
  }
}

/** Durable storage (write-ahead log, lake, object store) failed. */
export class StorageError extends WaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('storage', message, options);
  }
}

/** Another process holds a lock this one needs: the data directory's writer lock (a second `start`), a database file. */
export class LockError extends WaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('lock', message, options);
  }
}

/**
 * The local API refused a request body while reading it: over its route's limit (413) or over
 * the bytes the API holds at once (429). `statusCode` is what fastify's error handler answers.
 */
export class RequestRefusedError extends WaError {
  constructor(
    readonly statusCode: 413 | 429,
    readonly bytes: number,
  ) {
    super('refused', statusCode === 413 ? `request body over its limit (${bytes} bytes so far)` : 'too many request bytes in flight');
  }
}

/** A query engine (Athena, DuckDB) rejected or failed a statement. */
export class QueryError extends WaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('query', message, options);
  }
}

/** A notifier (Slack) could not deliver a message. */
export class NotifyError extends WaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('notify', message, options);
  }
}

/** An AWS call failed in a way the caller cannot recover from. */
export class AwsError extends WaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('aws', message, options);
  }
}

/** The message of any thrown value, for one-line reports. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
