import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AllotError, ERROR_CODES, type ErrorCode } from '../../src/core/errors.js';
import { HTTP_STATUS } from '../../src/serve/errors.js';

const DOC = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

type Row = { description: string; howToSolve: string; user: string; http: string };

function docRows(): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const line of DOC.split('\n')) {
    // Cells may be padded (the formatter aligns the table).
    const cells = line.split('|').map((c) => c.trim());
    const code = /^`(ALLOT_[A-Z_]+)`$/.exec(cells[1] ?? '');
    if (code && cells.length === 7)
      rows.set(code[1]!, { description: cells[2]!, howToSolve: cells[3]!, user: cells[4]!, http: cells[5]! });
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
        http: String(HTTP_STATUS[c]),
      });
    }
  });

  it('maps every user error to a 4xx status and only store and internal failures to 5xx', () => {
    for (const c of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const st = HTTP_STATUS[c];
      if (ERROR_CODES[c].userError && c !== 'ALLOT_IO_ERROR') expect(st, c).toBeLessThan(500);
      if (!ERROR_CODES[c].userError) expect(st, c).toBeGreaterThanOrEqual(500);
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
