import { textTable } from '../../../shared/text/table';

describe('textTable', () => {
  it('prints the header, dashes as wide as each column and the rows, two spaces apart, no trailing spaces', () => {
    expect(textTable(['button', 'title'], [['yes', 'Sí'], ['maybe_later', 'x']])).toBe(['button       title', '-----------  -----', 'yes          Sí', 'maybe_later  x'].join('\n'));
  });

  it('right-aligns a column of numbers, header included, and shows null as nullText', () => {
    expect(textTable(['id', 'n'], [['a', 1000], ['b', null]], { nullText: 'NULL' })).toBe(['id     n', '--  ----', 'a   1000', 'b   NULL'].join('\n'));
  });

  it('left-aligns a column that mixes numbers and text', () => {
    expect(textTable(['pos', 'k'], [[1, 'a'], ['-', 'b']])).toBe(['pos  k', '---  -', '1    a', '-    b'].join('\n'));
  });

  it('prints the header and dashes of an empty table', () => {
    expect(textTable(['button_id', 'clicks'], [])).toBe('button_id  clicks\n---------  ------');
  });

  it('counts a wide character as two columns, as a terminal shows it', () => {
    expect(textTable(['t', 'n'], [['日本', 'x'], ['ab', 'y']])).toBe(['t     n', '----  -', '日本  x', 'ab    y'].join('\n'));
  });

  it('shows control characters in headers and cells escaped, each row on its line', () => {
    const text = textTable(['a\u001b[2J'], [['x\ny\u0007'], ['\u202eok']]);
    expect(text).toBe(['a\\x1b[2J', '--------', 'x\\ny\\x07', '\\u202eok'].join('\n'));
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });
});
