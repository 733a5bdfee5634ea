import { TemplateError } from '../errors';
import { evaluateJsonPath, parseJsonPath } from './jsonpath';
import type { ApiRequest } from './types';

/** `$input.params()`: the method request's parameters by location. */
export interface ParamsMap {
  path: Record<string, string>;
  querystring: Record<string, string>;
  header: Record<string, string>;
}

const NOT_PARSED = Symbol('not parsed');

/**
 * `$input` for one render. In a request template the payload is the method request body; in a
 * response template it is the integration response body. The parameters are always the method
 * request's, which is how a response template can read e.g. `hub.challenge`.
 *
 * Work is lazy and done once per render: the body is decoded and parsed only if a template asks.
 */
export class TemplateInput {
  readonly #request: ApiRequest;
  readonly #payload: Buffer | string;
  #text: string | undefined;
  #doc: unknown = NOT_PARSED;
  #params: ParamsMap | undefined;

  constructor(request: ApiRequest, payload: Buffer | string) {
    this.#request = request;
    this.#payload = payload;
  }

  /** `$input.body`: the raw payload as a string (UTF-8). */
  get body(): string {
    this.#text ??= typeof this.#payload === 'string' ? this.#payload : this.#payload.toString('utf8');
    return this.#text;
  }

  /** `$input.json(path)`: the value at a JSONPath as JSON text; empty when the path matches nothing. */
  json(path: unknown): string {
    const value = this.#select(path);
    return value === undefined ? '' : JSON.stringify(value);
  }

  /** `$input.path(path)`: the value at a JSONPath as maps, lists and scalars for VTL to work on. */
  path(path: unknown): unknown {
    return this.#select(path);
  }

  /**
   * `$input.params()` returns all parameters by location; `$input.params(name)` searches path,
   * then query string, then headers (searched in that order, as AWS documents) and returns an empty
   * string when none has it. Header names match case-insensitively, as HTTP header names do;
   * path and query-string names are case-sensitive.
   */
  params(name?: unknown): ParamsMap | string {
    if (name === undefined || name === null) return this.#allParams();
    const key = String(name);
    const req = this.#request;
    const fromPath = req.pathParams ? own(req.pathParams, key) : undefined;
    if (fromPath !== undefined) return fromPath;
    const fromQuery = own(req.query, key);
    if (fromQuery !== undefined) return fromQuery;
    return headerValue(req.headers, key) ?? '';
  }

  #allParams(): ParamsMap {
    // Copies, so a template that #sets into the maps cannot change the request.
    this.#params ??= {
      path: { ...this.#request.pathParams },
      querystring: { ...this.#request.query },
      header: { ...this.#request.headers },
    };
    return this.#params;
  }

  #select(path: unknown): unknown {
    const segments = parseJsonPath(typeof path === 'string' ? path : '$');
    if (this.#doc === NOT_PARSED) this.#doc = parsePayload(this.body);
    return this.#doc === undefined ? undefined : evaluateJsonPath(this.#doc, segments);
  }
}

function parsePayload(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new TemplateError('payload is not JSON, so $input.json/$input.path cannot read it', { cause });
  }
}

/** A header's value by case-insensitive name, or undefined. */
function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const exact = own(headers, name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === lower) return headers[key];
  }
  return undefined;
}

// Own keys only: a parameter named `constructor` must not find Object.prototype's.
function own(map: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}
