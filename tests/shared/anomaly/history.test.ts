import { parseDailyCtrLines } from '../../../shared/anomaly/history';
import { InputError } from '../../../shared/errors';

const row = (over: Record<string, unknown> = {}): string =>
  JSON.stringify({ dt: '2025-03-01', campaign_id: 'c1', template_name: 't1', button_id: 'b1', messages_delivered: 100, clicked_messages: 7, clicks: 9, ctr: 0.07, ...over });

describe('parseDailyCtrLines', () => {
  it('keeps the detector columns, skips blank lines and reads digit-string counts', () => {
    const rows = parseDailyCtrLines(`${row()}\n\n${row({ dt: '2025-03-02', template_name: null, button_id: undefined, clicks: '12' })}\n`);
    expect(rows).toEqual([
      { dt: '2025-03-01', campaign_id: 'c1', template_name: 't1', button_id: 'b1', messages_delivered: 100, clicked_messages: 7, clicks: 9 },
      { dt: '2025-03-02', campaign_id: 'c1', template_name: null, button_id: null, messages_delivered: 100, clicked_messages: 7, clicks: 12 },
    ]);
  });

  it.each([
    ['not JSON', '{"dt":', /line 2: not valid JSON/],
    ['an array', '[1,2]', /line 2: expected a JSON object/],
    ['a bad date', row({ dt: '2025-02-30' }), /line 2: "dt" must be a YYYY-MM-DD date/],
    ['no campaign', row({ campaign_id: null }), /line 2: "campaign_id" must be a non-empty string$/],
    ['a negative count', row({ clicks: -1 }), /line 2: "clicks" must be a non-negative integer/],
    ['a fractional count', row({ messages_delivered: 1.5 }), /line 2: "messages_delivered" must be a non-negative integer/],
    ['a missing count', row({ clicked_messages: undefined }), /line 2: "clicked_messages"/],
  ])('names the line of a row with %s', (_, bad, message) => {
    const parse = (): unknown => parseDailyCtrLines(`${row({ dt: '2025-02-28' })}\n${bad}\n`);
    expect(parse).toThrow(InputError);
    expect(parse).toThrow(message);
  });

  it('rejects a second row for the same date and series, naming both lines', () => {
    expect(() => parseDailyCtrLines(`${row()}\n${row({ dt: '2025-03-02' })}\n${row({ clicks: 1 })}`)).toThrow('history line 3: same dt, campaign, template and button as line 1');
  });
});
