import { ConfigError } from './errors';

/*
 * The public base URL of an ingestion API: what senders that sign the URL they call (Twilio) were
 * told to call, less the route path. On AWS it is the stage parameter `twilioBaseUrl` (default: the
 * stage's execute-api URL); locally `--public-url` / `WA_PUBLIC_URL` (default: the bound address).
 * The request template copies it into a VTL string literal, so it must not hold what would end
 * that literal or start VTL (quotes, backslashes, `$`, `#`), nor whitespace.
 */

// scheme://host[:port][/path], the path without query, fragment or characters the template cannot hold.
const BASE_RE = /^(https?):\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?((?:\/[A-Za-z0-9._~!&()*+,;=:@%-]*)*)$/i;

/**
 * The base URL checked and normalized (trailing slashes dropped, scheme and host lower case, as
 * every client and Twilio write them); a ConfigError naming `name` when it cannot be one.
 */
export function parsePublicBaseUrl(value: string, name: string): string {
  const text = value.trim();
  const m = BASE_RE.exec(text);
  if (m === null) {
    throw new ConfigError(
      `${name} must be an http(s) base URL such as https://hooks.example.com or https://hooks.example.com/wa, without query string, fragment, quotes, $ or # (got "${value}")`,
    );
  }
  const [, scheme, host, port, path] = m as unknown as [string, string, string, string | undefined, string];
  if (port !== undefined && Number(port.slice(1)) > 65535) throw new ConfigError(`${name} has a port above 65535 (got "${value}")`);
  return `${scheme.toLowerCase()}://${host.toLowerCase()}${port ?? ''}${path.replace(/\/+$/, '')}`;
}
