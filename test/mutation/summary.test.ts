/**
 * The mutation summary's arithmetic on a report small enough to count by hand: the
 * score is (killed + timeout) / (killed + timeout + survived + no coverage), compile
 * errors and ignored mutants are left out, and a listed equivalent mutant leaves the
 * denominator only while it is undetected.
 */
import { describe, expect, it } from 'vitest';
import type { FileResult, MutantResult, MutantStatus } from 'mutation-testing-report-schema';
import { summarize, summaryTable, type EquivalentMutant } from '../../mutation/summary.js';

let id = 0;
function mutant(status: MutantStatus, line: number, replacement = 'true'): MutantResult {
  return {
    id: String(++id),
    mutatorName: 'ConditionalExpression',
    replacement,
    status,
    location: { start: { line, column: 5 }, end: { line, column: 9 } },
  };
}

function file(...mutants: MutantResult[]): FileResult {
  return { language: 'typescript', source: '', mutants };
}

const files: Record<string, FileResult> = {
  // 3 killed, 1 timeout, 2 survived (one equivalent), 1 no coverage, 1 compile error: 4 / 7.
  'src/gup/a.ts': file(
    mutant('Killed', 1),
    mutant('Killed', 2),
    mutant('Killed', 3),
    mutant('Timeout', 4),
    mutant('Survived', 5),
    mutant('Survived', 6),
    mutant('NoCoverage', 7),
    mutant('CompileError', 8),
  ),
  // 1 killed, 1 survived, 1 ignored: 1 / 2.
  'src/mm/b.ts': file(mutant('Killed', 1), mutant('Survived', 2), mutant('Ignored', 3)),
  // Outside the three layers: not counted.
  'proposals/c.ts': file(mutant('Survived', 1)),
};

const eq = (f: string, line: number): EquivalentMutant => ({
  file: f,
  line,
  column: 5,
  mutator: 'ConditionalExpression',
  replacement: 'true',
  reason: 'test',
});

describe('mutation summary', () => {
  it('per layer and overall, with an equivalent survivor, a killed mutant listed as equivalent, and a stale entry', () => {
    const s = summarize(files, [eq('src/gup/a.ts', 5), eq('src/gup/a.ts', 1), eq('src/gup/a.ts', 99)], false);
    expect(s.rows.map((r) => r.name)).toEqual(['src/mm', 'src/gup']);
    const gup = s.rows[1]!;
    expect(gup).toMatchObject({ killed: 3, timeout: 1, survived: 2, noCoverage: 1, compileErrors: 1, ignored: 0, equivalent: 1 });
    expect(gup.score).toBeCloseTo((100 * 4) / 7, 10);
    expect(gup.withoutEquivalent).toBeCloseTo((100 * 4) / 6, 10);
    expect(s.rows[0]).toMatchObject({ killed: 1, survived: 1, ignored: 1, equivalent: 0, score: 50, withoutEquivalent: 50 });
    // All: 5 detected of 9 valid; 8 without the one equivalent survivor.
    expect(s.total.score).toBeCloseTo((100 * 5) / 9, 10);
    expect(s.total.withoutEquivalent).toBeCloseTo((100 * 5) / 8, 10);
    expect(s.layersMissing).toEqual(['src/block']);
    expect(s.stale.map((e) => e.line)).toEqual([99]);
    const table = summaryTable(s);
    expect(table.split('\n')).toHaveLength(5);
    expect(table).toContain('| **all**');
    expect(table).toContain('55.56%');
    expect(table).toContain('62.50%');
  });

  it('per file', () => {
    const s = summarize(files, [], true);
    expect(s.rows.map((r) => r.name)).toEqual(['src/gup/a.ts', 'src/mm/b.ts']);
  });
});
