import { describe, expect, it } from 'vitest';
import {
  checkForecasts,
  createModelOutputParser,
  parseModelOutput,
  parseTargetData,
  splitCsvLine,
} from '../../src/forecast/index.js';
import { fc, test } from '../helpers/fast-check.js';

const HEADER =
  'reference_date,target,horizon,location,target_end_date,output_type,output_type_id,value,model_id';

function rows(model: string, loc: string, qs: number[], levels = [0.25, 0.5, 0.75]): string[] {
  return levels.map(
    (p, k) => `2025-01-04,wk inc flu hosp,1,${loc},2025-01-11,quantile,${p},${qs[k]},${model}`,
  );
}

const TEXT = [
  HEADER,
  ...rows('m1', '01', [1, 2, 3]),
  ...rows('m1', '02', [10, 20, 30]),
  ...rows('m2', '01', [3, 2, 4]), // crossing
  '2025-01-04,wk inc flu hosp,1,01,2025-01-11,mean,,2.5,m2',
  ...rows('m3', '01', [1, 2, 3]), // lacks location 02
  ...rows('m4', '01', [1, 2, 3]),
  '2025-01-04,wk inc flu hosp,1,02,2025-01-11,quantile,0.25,5,m4',
  '2025-01-04,wk inc flu hosp,1,02,2025-01-11,quantile,0.5,NA,m4',
  '2025-01-04,wk inc flu hosp,1,02,2025-01-11,quantile,0.75,9,m4',
].join('\n');

describe('model output parsing', () => {
  it('keeps quantile rows, location codes as strings, and groups forecasts by model and date', () => {
    const t = parseModelOutput(TEXT);
    expect(t.rows).toBe(19);
    expect(t.kept).toBe(18);
    expect(t.models).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(t.locations).toEqual(['01', '02']);
    expect(t.forecasts[0]!.locations.get('02')!.values).toEqual([10, 20, 30]);
  });

  it('reports incomplete forecasts with the reason, and flags crossing and missing levels', () => {
    const { complete, incomplete } = checkForecasts(parseModelOutput(TEXT));
    expect(complete.map((f) => f.model)).toEqual(['m1', 'm4']);
    expect(incomplete.map((f) => [f.model, f.reason])).toEqual([
      ['m2', 'missing location 02 of 2'],
      ['m3', 'missing location 02 of 2'],
    ]);
    const m4 = complete[1]!.locations[1]!;
    expect(m4.missingLevels).toBe(true);
    expect(Array.from(m4.levels)).toEqual([0.25, 0.75]);
    const cross = checkForecasts(parseModelOutput(TEXT), { locations: ['01'] }).complete.find(
      (f) => f.model === 'm2',
    )!;
    expect(cross.locations[0]!.crossing).toBe(true);
  });

  it('applies filters (model, date, target, horizon, locations with one-digit codes padded)', () => {
    const t = parseModelOutput(TEXT, {
      models: ['m1'],
      locations: ['2'],
      horizon: 1,
      target: 'wk inc flu hosp',
    });
    expect(t.kept).toBe(3);
    expect(parseModelOutput(TEXT, { referenceDates: ['2025-01-05'] }).kept).toBe(0);
    expect(parseModelOutput(TEXT, { horizon: 2 }).kept).toBe(0);
  });

  test.prop([fc.array(fc.integer({ min: 1, max: TEXT.length - 1 }), { maxLength: 6 })], {
    seed: 6,
    numRuns: 50,
  })('gives the same result whatever the chunk boundaries', (cuts) => {
    const at = [...new Set(cuts)].sort((a, b) => a - b);
    const p = createModelOutputParser();
    let prev = 0;
    for (const c of at) {
      p.push(TEXT.slice(prev, c));
      prev = c;
    }
    p.push(TEXT.slice(prev));
    const a = p.end();
    const b = parseModelOutput(TEXT);
    expect(a.kept).toBe(b.kept);
    expect(a.forecasts.map((f) => [...f.locations.values()].map((l) => l.values))).toEqual(
      b.forecasts.map((f) => [...f.locations.values()].map((l) => l.values)),
    );
  });

  it('reads CRLF, quoted fields and files without model_id (model from the option)', () => {
    const text = `reference_date,target,horizon,location,output_type,output_type_id,value\r\n2025-01-04,"wk inc flu hosp",1,"06",quantile,0.5,"12"\r\n`;
    const t = parseModelOutput(text, { modelId: 'team-model' });
    expect(t.forecasts[0]!.model).toBe('team-model');
    expect(t.forecasts[0]!.targetEndDate).toBe('2025-01-11');
    expect(t.forecasts[0]!.locations.get('06')!.values).toEqual([12]);
    expect(splitCsvLine('a,"b,""c""",,d')).toEqual(['a', 'b,"c"', '', 'd']);
  });

  it('rejects missing columns, levels outside (0, 1) and non-numeric values with the line', () => {
    expect(() => parseModelOutput('reference_date,target,location\n')).toThrow(
      /lacks columns horizon, output_type, output_type_id, value, model_id/,
    );
    expect(() => parseModelOutput(`${HEADER}\n2025-01-04,t,1,01,2025-01-11,quantile,1.5,3,m`)).toThrow(
      /line 2: output_type_id \(quantile level\) must be a number in \(0, 1\) \(got "1.5"\)/,
    );
    expect(() => parseModelOutput(`${HEADER}\n2025-01-04,t,1,01,2025-01-11,quantile,0.5,abc,m`)).toThrow(
      /line 2: value must be a number \(got "abc"\)/,
    );
    expect(() => parseModelOutput(`${HEADER}\n2025-01-04,t,1,01`)).toThrow(
      /line 2: expected 9 fields, got 4/,
    );
  });
});

describe('target data', () => {
  it('reads date/value or target_end_date/observation layouts and looks up by date and location', () => {
    const a = parseTargetData(
      'date,location,location_name,value\n2025-01-11,1,Alabama,193\n2025-01-11,02,Alaska,NA\n',
    );
    expect(a.get('2025-01-11', '01')).toBe(193);
    expect(a.get('2025-01-11', '02')).toBeUndefined();
    const b = parseTargetData(
      'target_end_date,target,location,observation\n2025-01-11,wk inc flu hosp,06,3676\n',
    );
    expect(b.get('2025-01-11', '06', 'wk inc flu hosp')).toBe(3676);
    expect(() => parseTargetData('when,where\n')).toThrow(
      /lacks columns location, target_end_date \(or date\)/,
    );
  });
});
