import { TemplateError } from '../errors';

/**
 * The JSONPath subset `$input.json` and `$input.path` accept here: the root `$`, dotted names
 * (`$.a.b`), array indexes (`$.a[0]`) and bracketed names (`$['a b']`, `$["a"]`). Wildcards,
 * filters and recursive descent are refused with a TemplateError rather than guessed at.
 */
export type PathSegment = string | number;

const NAME_RE = /^[A-Za-z_$][\w$-]*/;

/** Parses a JSONPath expression into segments. */
export function parseJsonPath(path: string): PathSegment[] {
  if (path[0] !== '$') throw new TemplateError(`JSONPath must start with $: ${path}`);
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    const rest = path.slice(i);
    if (rest[0] === '.') {
      const name = NAME_RE.exec(rest.slice(1));
      if (!name) throw new TemplateError(`unsupported JSONPath: ${path}`);
      segments.push(name[0]);
      i += 1 + name[0].length;
      continue;
    }
    const index = /^\[(\d+)\]/.exec(rest);
    if (index) {
      segments.push(Number(index[1]));
      i += index[0].length;
      continue;
    }
    const quoted = /^\['([^']*)'\]/.exec(rest) ?? /^\["([^"]*)"\]/.exec(rest);
    if (quoted) {
      segments.push(quoted[1]!);
      i += quoted[0].length;
      continue;
    }
    throw new TemplateError(`unsupported JSONPath: ${path}`);
  }
  return segments;
}

/** The value at `segments` inside `doc`, or undefined when the path leads nowhere. */
export function evaluateJsonPath(doc: unknown, segments: readonly PathSegment[]): unknown {
  let node = doc;
  for (const segment of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    if (typeof segment === 'number') {
      if (!Array.isArray(node)) return undefined;
      node = node[segment];
    } else {
      if (Array.isArray(node) || !Object.hasOwn(node, segment)) return undefined;
      node = (node as Record<string, unknown>)[segment];
    }
  }
  return node;
}
