import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AllotError, ERROR_CODES, type ErrorCode } from '../../src/core/errors.js';

const DOC = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

function docRows(): Map<string, { description: string; howToSolve: string; user: string }> {
  const rows = new Map<string, { description: string; howToSolve: string; user: string }>();
  for (const line of DOC.split('\n')) {
    // Cells may be padded (the formatter aligns the table).
    const cells = line.split('|').map((c) => c.trim());
    const code = /^`(ALLOT_[A-Z_]+)`$/.exec(cells[1] ?? '');
    if (code && cells.length === 6)
      rows.set(code[1]!, { description: cells[2]!, howToSolve: cells[3]!, user: cells[4]! });
  }
  return rows;
}

describe('error code registry', () => {
  it('documents every code in docs/errors.md with the same text, and nothing more', () => {
    const rows = docRows();
    const codes = Object.keys(ERROR_CODES) as ErrorCode[];
    expect([...rows.keys()].sort()).toEqual([...codes].sort());
    for (const c of codes) {
      expect(rows.get(c)).toEqual({
        description: ERROR_CODES[c].description,
        howToSolve: ERROR_CODES[c].howToSolve,
        user: ERROR_CODES[c].userError ? 'yes' : 'no',
      });
    }
  });

  it('AllotError carries its code, details and cause', () => {
    const cause = new Error('inner');
    const e = new AllotError('ALLOT_OUT_OF_RANGE', 'alpha must be > 0 (got -1)', {
      details: { alpha: -1 },
      cause,
    });
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('ALLOT_OUT_OF_RANGE');
    expect(e.details).toEqual({ alpha: -1 });
    expect(e.cause).toBe(cause);
    expect(e.message).toBe('alpha must be > 0 (got -1)');
  });
});
