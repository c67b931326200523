import { describe, expect, it } from 'vitest';
import { parseAllotLog, parseCsv, parseObdLog } from '../../src/evaluate/index.js';

const OBD_HEADER =
  ',timestamp,item_id,position,click,propensity_score,user_feature_0,user_feature_1,user-item_affinity_0,user-item_affinity_1,user-item_affinity_2';
const obd = (rows: string[]) => `${OBD_HEADER}\n${rows.join('\n')}\n`;

describe('OBD logs', () => {
  const text = obd([
    '0,2019-11-24 00:00:01+00:00,2,1,0,0.3333333333333333,aa,bb,0.0,0.0,0.0',
    '1,2019-11-24 00:00:01+00:00,0,2,1,0.3333333333333333,aa,bb,0.0,0.0,0.0',
    '2,2019-11-24 00:00:05+00:00,1,3,0,0.3333333333333333,cc,bb,0.0,2.0,0.0',
  ]);
  it('reads actions, 0-based positions, clicks, propensities; rows with one timestamp and user are one impression', () => {
    const l = parseObdLog(text);
    expect(l.n).toBe(3);
    expect(l.actions).toEqual(['0', '1', '2']);
    expect(Array.from(l.position)).toEqual([0, 1, 2]);
    expect(Array.from(l.reward)).toEqual([0, 1, 0]);
    expect(Array.from(l.impression)).toEqual([0, 0, 1]);
    expect(l.nPositions).toBe(3);
    expect(l.context?.dim).toBe(1); // user_feature_0 has 2 levels (one kept), user_feature_1 one (none kept)
    expect(l.actionContext?.data[2 * 3 + 1]).toBe(2); // row 2's affinity for item 1
  });
  it('one clear error each: a missing column, a propensity outside (0, 1]', () => {
    expect(() => parseObdLog('item_id,position,click\n1,1,0\n')).toThrow(/lacks column propensity_score/);
    expect(() => parseObdLog(obd(['0,t,2,1,0,0,aa,bb,0,0,0']))).toThrow(
      /propensity of row 0 must be in \(0, 1\] \(got 0\)/,
    );
    expect(() => parseObdLog(obd(['0,t,2,1,0,1.2,aa,bb,0,0,0']))).toThrow(/got 1.2/);
    expect(() => parseObdLog(obd(['0,t,2,1,0,,aa,bb,0,0,0']))).toThrow(/got empty/);
  });
});

describe('allot exported logs', () => {
  const rows = [
    {
      eventId: 'e1',
      timestamp: 't',
      agentId: 'a',
      version: 0,
      user: 'u1',
      position: 0,
      action: 'x',
      propensity: 0.8,
      reward: 1,
      cost: null,
      candidates: ['x', 'y'],
      context: { features: [1, 2] },
    },
    {
      eventId: 'e1',
      timestamp: 't',
      agentId: 'a',
      version: 0,
      user: 'u1',
      position: 1,
      action: 'y',
      propensity: 0.8,
      reward: 0,
      cost: null,
      candidates: ['x', 'y'],
      context: { features: [1, 2] },
    },
    {
      eventId: 'e2',
      timestamp: 't',
      agentId: 'a',
      version: 1,
      user: null,
      position: 0,
      action: 'y',
      propensity: 0.2,
      reward: null,
      cost: null,
      candidates: ['x', 'y'],
      context: {},
    },
  ];
  const ndjson = rows.map((r) => JSON.stringify(r)).join('\n');
  const csv = [
    'event_id,timestamp,agent_id,version,user,position,action,propensity,reward,cost,candidates,context',
    'e1,t,a,0,u1,0,x,0.8,1,,x|y,"{""features"":[1,2]}"',
    'e1,t,a,0,u1,1,y,0.8,0,,x|y,"{""features"":[1,2]}"',
    'e2,t,a,1,,0,y,0.2,,,x|y,{}',
  ].join('\n');
  it('NDJSON and CSV give the same log; rows of one event are one impression; rows without reward are skipped', () => {
    const a = parseAllotLog(ndjson);
    const b = parseAllotLog(csv);
    expect(b).toEqual(a);
    expect(a.n).toBe(2);
    expect(a.skipped).toBe(1);
    expect(a.nImpressions).toBe(1);
    expect(a.decisions?.[0]).toMatchObject({ eventId: 'e1', user: 'u1', candidates: ['x', 'y'], slots: 2 });
    expect(Array.from(a.context!.data)).toEqual([1, 2, 1, 2]);
  });
  it('rejects a propensity outside (0, 1] and a row without the needed keys', () => {
    expect(() => parseAllotLog(JSON.stringify({ ...rows[0], propensity: 0 }))).toThrow(
      /propensity of row 0 must be in \(0, 1\]/,
    );
    expect(() => parseAllotLog('{"eventId":"e","action":"x"}')).toThrow(/lacks position, propensity, reward/);
  });
});

describe('CSV reader', () => {
  it('handles quotes, escaped quotes and CRLF', () => {
    expect(parseCsv('a,b\r\n"x,1","say ""hi"""\r\n').rows).toEqual([['x,1', 'say "hi"']]);
  });
  it('names the record whose field count is wrong', () => {
    expect(() => parseCsv('a,b\n1\n', 'f.csv')).toThrow(/f.csv: record 1 has 1 fields, the header has 2/);
  });
});
