import { SlackWebhookNotifier } from '../../../shared/adapters/slack';
import { NotifyError } from '../../../shared/errors';
import { checkSlackMessage, startSlackStandIn } from '../../support/slack-stand-in';

const section = (text: string, verbatim = true) => ({ type: 'section', text: { type: 'mrkdwn', text, verbatim } });
const ok = { text: 'digest', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Digest' } }, section('`a &amp; b` &lt;!channel&gt;')] };

describe('the Slack stand-in used by the digest tests', () => {
  it('accepts an escaped message inside the limits', () => {
    expect(checkSlackMessage(ok)).toEqual([]);
  });

  it.each([
    ['<!channel> in the text', { ...ok, text: 'hi <!channel>' }, 'invalid_payload'],
    ['<!here> in a section', { ...ok, blocks: [section('<!here>')] }, 'unescaped control sequence <!here>'],
    ['a planted link', { ...ok, blocks: [section('<https://evil.example|click here>')] }, 'unescaped control sequence <https://evil.example|click here>'],
    ['a user mention', { ...ok, blocks: [section('<@U024BE7LH>')] }, 'unescaped control sequence <@U024BE7LH>'],
    ['a raw &', { ...ok, blocks: [section('a & b')] }, 'unescaped &'],
    ['a bare URL Slack would link', { ...ok, blocks: [section('see https://evil.example', false)] }, 'a URL Slack would link'],
    ['@channel Slack would parse', { ...ok, text: 'ping @channel' }, 'a mention Slack would parse'],
    ['51 blocks', { ...ok, blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }, '51 blocks (at most 50)'],
    ['a 151-character header', { ...ok, blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] }, '151 characters (1–150 allowed)'],
    ['a 3,001-character section', { ...ok, blocks: [section('s'.repeat(3001))] }, '3001 characters (1–3000 allowed)'],
    ['13,001 characters of blocks', { ...ok, blocks: Array.from({ length: 5 }, () => section('s'.repeat(2601))) }, 'msg_blocks_too_long'],
    ['a 40,001-character text', { ...ok, text: 't'.repeat(40_001) }, 'msg_too_long'],
  ])('refuses %s', (_name, payload, problem) => {
    expect(checkSlackMessage(payload).join('\n')).toContain(problem);
  });

  it('allows a link only to an allowed prefix', () => {
    const linked = { ...ok, blocks: [section('more: <https://reports.example.com/x?a=1&amp;b=2|open the dashboard>')] };
    expect(checkSlackMessage(linked)).not.toEqual([]);
    expect(checkSlackMessage(linked, { allowedLinkPrefixes: ['https://reports.example.com/'] })).toEqual([]);
  });

  it('answers 400 with the error name, which the notifier reports without retrying', async () => {
    const slack = await startSlackStandIn();
    try {
      await new SlackWebhookNotifier(slack.url, { sleep: async () => undefined }).post(ok);
      await expect(new SlackWebhookNotifier(slack.url, { sleep: async () => undefined }).post({ text: '<!channel>', blocks: [] })).rejects.toThrow(new NotifyError('Slack answered 400: invalid_payload'));
      expect(slack.posts).toHaveLength(2);
      expect(slack.accepted()).toEqual([JSON.parse(JSON.stringify(ok))]);
    } finally {
      await slack.close();
    }
  });
});
