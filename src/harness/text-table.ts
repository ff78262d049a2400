/**
 * Plain-text layout for mail: aligned columns with no borders, word wrapping, and
 * ASCII-only output, never wider than a given width (80 for an LKML reply).
 *
 * A table that does not fit with two spaces between columns gets one space; if it
 * still does not fit, the first (name) column is shortened with a trailing `~`; as a
 * last resort lines are cut at the width, so the promise always holds.
 */

/** The width of an LKML-friendly reply. */
export const TEXT_WIDTH = 80;

export interface TextColumn {
  readonly header: string;
  readonly align: 'left' | 'right';
}

/** Printable ASCII only: tabs and line breaks become spaces, anything else `?`. */
export function toAscii(text: string): string {
  return text.replace(/[\t\n\r]/g, ' ').replace(/[^\x20-\x7e]/g, '?');
}

/** Words of `text` in lines of at most `width`, each prefixed with `indent`; long words are split. */
export function wrapText(text: string, width: number = TEXT_WIDTH, indent = ''): string[] {
  const room = Math.max(1, width - indent.length);
  const words = toAscii(text).split(' ').filter((w) => w !== '');
  const lines: string[] = [];
  let line = '';
  for (let word of words) {
    while (word.length > room) {
      if (line !== '') {
        lines.push(indent + line);
        line = '';
      }
      lines.push(indent + word.slice(0, room));
      word = word.slice(room);
    }
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= room) line += ` ${word}`;
    else {
      lines.push(indent + line);
      line = word;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

function fit(cell: string, width: number): string {
  return cell.length <= width ? cell : `${cell.slice(0, Math.max(0, width - 1))}~`;
}

function pad(cell: string, width: number, align: 'left' | 'right'): string {
  return align === 'left' ? cell.padEnd(width) : cell.padStart(width);
}

/** The table's lines: a header, a dashed rule, one line per row; trailing spaces trimmed. */
export function renderTextTable(
  columns: readonly TextColumn[],
  rows: readonly (readonly string[])[],
  maxWidth: number = TEXT_WIDTH,
): string[] {
  const cells = [columns.map((c) => toAscii(c.header)), ...rows.map((r) => columns.map((_, i) => toAscii(r[i] ?? '')))];
  const widths = columns.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const total = (gap: number) => widths.reduce((a, b) => a + b, 0) + gap * (columns.length - 1);
  const gap = total(2) <= maxWidth ? 2 : 1;
  const excess = total(gap) - maxWidth;
  if (excess > 0 && widths.length > 0) widths[0] = Math.max(4, widths[0]! - excess);
  const rule = widths.map((w) => '-'.repeat(w));
  const lines: string[] = [];
  const emit = (row: readonly string[]) => {
    const line = row
      .map((cell, i) => pad(fit(cell, widths[i]!), widths[i]!, columns[i]!.align))
      .join(' '.repeat(gap))
      .trimEnd();
    lines.push(line.length > maxWidth ? line.slice(0, maxWidth) : line);
  };
  emit(cells[0]!);
  emit(rule);
  for (let r = 1; r < cells.length; r++) emit(cells[r]!);
  return lines;
}
