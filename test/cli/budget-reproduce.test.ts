import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BMAB_PAPER_TABLES } from '../../src/cli/reproduce/budget.js';
import { SHARED } from '../helpers/cli.js';

describe('allot reproduce budget', () => {
  it("prints the paper's numbers exactly as shared/reference/bmab-paper-tables.json has them", () => {
    const ref = JSON.parse(readFileSync(join(SHARED, 'reference', 'bmab-paper-tables.json'), 'utf8')) as {
      table1_baselines_regret: { scheme_T: object; scheme_R: object };
      table2_single_play_regret: { K10: object; K50: object };
    };
    expect(BMAB_PAPER_TABLES.table1_baselines_regret.scheme_T).toEqual(ref.table1_baselines_regret.scheme_T);
    expect(BMAB_PAPER_TABLES.table1_baselines_regret.scheme_R).toEqual(ref.table1_baselines_regret.scheme_R);
    expect(BMAB_PAPER_TABLES.table2_single_play_regret.K10).toEqual(ref.table2_single_play_regret.K10);
    expect(BMAB_PAPER_TABLES.table2_single_play_regret.K50).toEqual(ref.table2_single_play_regret.K50);
  });
});
