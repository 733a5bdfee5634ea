import { ConfigError } from '../../shared/errors';
import { parsePublicBaseUrl } from '../../shared/public-url';

describe('parsePublicBaseUrl', () => {
  it.each([
    ['https://hooks.example.com', 'https://hooks.example.com'],
    ['https://hooks.example.com/', 'https://hooks.example.com'],
    ['  HTTPS://Hooks.Example.COM/WA//  ', 'https://hooks.example.com/WA'],
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
    ['https://abc123.execute-api.eu-west-1.amazonaws.com/prod', 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod'],
    ['http://[::1]:8080/a/b', 'http://[::1]:8080/a/b'],
  ])('takes %j as %j (scheme and host lower case, the path as written less trailing slashes)', (given, expected) => {
    expect(parsePublicBaseUrl(given, 'X')).toBe(expected);
  });

  it.each([
    'hooks.example.com',
    'ftp://hooks.example.com',
    'https://hooks.example.com/?a=1',
    'https://hooks.example.com/#x',
    "https://hooks.example.com/it's",
    'https://hooks.example.com/"x"',
    'https://hooks.example.com/$x',
    'https://user:pass@hooks.example.com',
    'https://hooks.example.com/a b',
    'https://hooks.example.com:70000',
    '',
  ])('refuses %j with a ConfigError naming the setting', (given) => {
    expect(() => parsePublicBaseUrl(given, 'WA_PUBLIC_URL')).toThrow(ConfigError);
    expect(() => parsePublicBaseUrl(given, 'WA_PUBLIC_URL')).toThrow(/^WA_PUBLIC_URL /);
  });
});
