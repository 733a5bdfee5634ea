import Table from 'cli-table3';
import { terminalSafe } from './terminal';

/** A table cell: text, a number, or null (a missing value, shown as `nullText`). */
export type TableCell = string | number | null;

interface TextTableOptions {
  /** How a null cell is shown (default: empty). */
  readonly nullText?: string;
}

// No borders: columns two spaces apart and one line of dashes under the header (cli-table3's
// compact style draws its row separator only there), no padding, no colours.
const chars = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', right: '', 'right-mid': '',
  mid: '-', 'mid-mid': '  ', middle: '  ',
};
const style = { 'padding-left': 0, 'padding-right': 0, head: [], border: [], compact: true };

/**
 * The plain-text table of the terminal commands (`query`, the demo's CTR and alerts): the
 * header, a line of dashes as wide as each column, then the rows; a column is right-aligned,
 * header included, when every cell in it is a number (or null); no line ends in spaces. Every
 * header and cell is made terminal-safe first (shared/text/terminal.ts), so what the data holds
 * is shown, never acted on, and always on its row's line. Widths are what a terminal displays
 * (a wide character counts two).
 */
export function textTable(header: readonly string[], rows: readonly (readonly TableCell[])[], options: TextTableOptions = {}): string {
  const nullText = options.nullText ?? '';
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === null));
  const table = new Table({ head: header.map((h) => terminalSafe(h)), chars, style, colAligns: numeric.map((n) => (n ? 'right' : 'left')) });
  for (const row of rows) table.push(header.map((_, i) => terminalSafe(row[i] === null || row[i] === undefined ? nullText : String(row[i]))));
  // The dashes are drawn above the first row: an empty table gets a blank row, dropped after.
  if (rows.length === 0) table.push(header.map(() => ''));
  const lines = table.toString().split('\n').map((line) => line.trimEnd());
  return (rows.length === 0 ? lines.slice(0, 2) : lines).join('\n');
}
