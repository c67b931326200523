/**
 * `allot reproduce explore`: the two-phase A/B test of multi-task UCB on the simulated short-video recommender,
 * analogues of Figures 3–6 of Guo et al. (2023), and a markdown report saying, with numbers, which findings
 * reproduce.
 */
import { join } from 'node:path';
import { lineChart } from '../../core/chart.js';
import {
  activityChart,
  type ExperimentDay,
  efficiencyLevelChart,
  efficiencyLiftChart,
  JOB_MODULE,
  playsLiftChart,
  type RecsysExperimentConfig,
  type RecsysExperimentResult,
  type RecsysSweepInput,
  taskLiftChart,
} from '../../experiments/index.js';
import { runReplications } from '../../sim/pool.js';
import { createProgress } from '../../sim/progress.js';
import { toJson, writeFileAtomic } from '../io.js';
import { writeSvg } from '../svg.js';
import type { ReproduceOptions, ReproduceResult } from './types.js';

const PAPER_LIFT = 0.005;

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((s, v) => s + v, 0) / xs.length;
}

function liftMean(days: readonly ExperimentDay[], key: keyof ExperimentDay['lift'] = 'plays'): number {
  return mean(days.map((d) => d.lift[key].estimate).filter((v): v is number => v !== null));
}

/** Pooled-over-days plays lift: mean of daily estimates, with a 95 % interval from the daily standard errors. */
function pooledLift(days: readonly ExperimentDay[]): { est: number; lo: number; hi: number; se: number } {
  const xs = days.filter((d) => d.lift.plays.estimate !== null && d.lift.plays.se !== null);
  const est = mean(xs.map((d) => d.lift.plays.estimate!));
  // Days share users, so daily errors are positively correlated; the independent-days interval is too narrow and
  // the report says so.
  const se = Math.sqrt(xs.reduce((s, d) => s + d.lift.plays.se! ** 2, 0)) / Math.max(1, xs.length);
  return { est, lo: est - 1.96 * se, hi: est + 1.96 * se, se };
}

const pct = (v: number, digits = 1): string =>
  Number.isFinite(v) ? `${(100 * v).toFixed(digits)} %` : 'n/a';
const num = (v: number | null | undefined, digits = 3): string =>
  v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);

function groupMean(
  days: readonly ExperimentDay[],
  g: 'control' | 'test',
  k: 'EI' | 'TE' | 'TD' | 'IU',
): number {
  return mean(days.map((d) => d.groups[g][k]).filter((v): v is number => v !== null));
}

function shareOfDays(days: readonly ExperimentDay[], pred: (d: ExperimentDay) => boolean): number {
  return days.length === 0 ? Number.NaN : days.filter(pred).length / days.length;
}

/** Reproduces the explore seed paper. */
export async function reproduceExplore(opts: ReproduceOptions): Promise<ReproduceResult> {
  const quick = opts.quick;
  const mainUsers = opts.smoke ? 300 : quick ? 4000 : 20000;
  const sweepUsers = opts.smoke ? 200 : quick ? 2000 : 5000;
  const base: Partial<RecsysExperimentConfig> = { users: mainUsers };
  const sweep: { label: string; s: Partial<RecsysExperimentConfig> }[] = [
    { label: 'gamma 1, unseen: infinite bonus (default)', s: { users: sweepUsers } },
    { label: 'gamma 0.3, unseen: infinite bonus', s: { users: sweepUsers, gamma: 0.3 } },
    { label: 'gamma 0.1, unseen: infinite bonus', s: { users: sweepUsers, gamma: 0.1 } },
    { label: 'gamma 0.3, unseen: N_{t,a} = 1', s: { users: sweepUsers, gamma: 0.3, unseenCount: 1 } },
    { label: 'gamma 0.1, unseen: N_{t,a} = 1', s: { users: sweepUsers, gamma: 0.1, unseenCount: 1 } },
  ];
  // Counterfactual for Phase II: the same users with Phase I (pooled model) continued to the end.
  const noSplit: Partial<RecsysExperimentConfig> = { users: sweepUsers, daysPhase1: 34, daysPhase2: 1 };
  const input: RecsysSweepInput = { settings: [base, ...sweep.map((x) => x.s), noSplit], seed: opts.seed };
  const progress = createProgress('reproduce explore', opts.progress);
  const t0 = performance.now();
  let results: RecsysExperimentResult[];
  try {
    results = await runReplications<RecsysSweepInput, RecsysExperimentResult>(
      { module: JOB_MODULE, name: 'recsysSweepJob' },
      input,
      {
        runs: input.settings.length,
        seed: opts.seed,
        chunk: 1,
        ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
        onProgress: (d, t) => progress.update(d, t),
      },
    );
  } finally {
    progress.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  const main = results[0]!;
  const days = main.days;
  const p1 = days.filter((d) => d.phase === 1);
  const p2 = days.filter((d) => d.phase === 2);
  const early = p1.slice(0, 3);
  const lateP1 = p1.slice(-7);
  const lateP2 = p2.slice(-7);
  const out = opts.outDir;
  const files: string[] = [];
  const svg = async (name: string, spec: Parameters<typeof writeSvg>[1]): Promise<void> => {
    const path = join(out, name);
    await writeSvg(path, spec);
    files.push(path);
  };
  await svg('fig3-plays-lift.svg', playsLiftChart(days));
  await svg(
    'fig4-activity-control.svg',
    activityChart(main.buckets.control, 'Exploration efficiency by activity (control)'),
  );
  await svg(
    'fig4-activity-test.svg',
    activityChart(main.buckets.test, 'Exploration efficiency by activity (test)'),
  );
  await svg('fig5-efficiency-lift.svg', efficiencyLiftChart(days));
  await svg('fig5-EI.svg', efficiencyLevelChart(days, 'EI'));
  await svg('fig5-TE.svg', efficiencyLevelChart(days, 'TE'));
  await svg('fig5-TD.svg', efficiencyLevelChart(days, 'TD'));
  await svg('fig6-tasks-lift.svg', taskLiftChart(days));
  await svg(
    'sweep-plays-lift.svg',
    lineChart({
      title: `Plays lift by UCB setting (${sweepUsers} users, same simulated users)`,
      xLabel: 'experiment day',
      yLabel: 'lift of plays per active user (%)',
      series: [
        ...sweep.map((x, j) => ({
          name: x.label,
          x: results[j + 1]!.days.map((d) => d.day),
          y: results[j + 1]!.days.map((d) => 100 * (d.lift.plays.estimate ?? Number.NaN)),
        })),
        { name: 'no effect', x: days.map((d) => d.day), y: days.map(() => 0), dashed: true },
      ],
    }),
  );

  // Findings.
  const eEarly = liftMean(early);
  const eLateP1 = liftMean(lateP1);
  const eP2 = liftMean(lateP2);
  const all = pooledLift(days);
  const holds = (b: boolean): string => (b ? '**reproduces**' : '**does not reproduce**');
  const eiLower = shareOfDays(days, (d) => (d.groups.test.EI ?? 0) < (d.groups.control.EI ?? 0));
  const teHigher = shareOfDays(days, (d) => (d.groups.test.TE ?? 0) > (d.groups.control.TE ?? 0));
  const tdHigher = shareOfDays(days, (d) => (d.groups.test.TD ?? 0) > (d.groups.control.TD ?? 0));
  const b = main.buckets.control.filter((x) => x.EI !== null && x.users >= 20);
  const lowB = b.slice(0, Math.max(1, Math.floor(b.length / 3)));
  const highB = b.slice(-Math.max(1, Math.floor(b.length / 3)));
  const eiLow = mean(lowB.map((x) => x.EI!));
  const eiHigh = mean(highB.map((x) => x.EI!));
  const iuLow = mean(lowB.map((x) => x.IU!));
  const iuHigh = mean(highB.map((x) => x.IU!));
  const dg = main.diagnostics;
  const cfSplit = liftMean(results[1]!.days.slice(-7));
  const cfNoSplit = liftMean(results[results.length - 1]!.days.slice(-7));
  const cfDiff = cfSplit - cfNoSplit;
  // Same users and per-user random streams in both runs: pair the 7 daily lifts and use the spread of the differences.
  const cfDaily = results[1]!.days
    .slice(-7)
    .map(
      (d, j) =>
        (d.lift.plays.estimate ?? 0) -
        (results[results.length - 1]!.days.slice(-7)[j]!.lift.plays.estimate ?? 0),
    );
  const cfMean = mean(cfDaily);
  const cfSe = Math.sqrt(
    cfDaily.reduce((acc, v) => acc + (v - cfMean) ** 2, 0) / Math.max(1, cfDaily.length - 1) / cfDaily.length,
  );
  const teEarly = liftMean(early, 'TE');
  const teLate = liftMean(lateP1, 'TE');
  const tdEarly = liftMean(early, 'TD');
  const tdLate = liftMean(lateP1, 'TD');
  const tdP2 = liftMean(lateP2, 'TD');
  const dailySe = mean(days.map((d) => d.lift.plays.se).filter((v): v is number => v !== null));
  const sweepAll = sweep.map((x, j) => ({ label: x.label, lift: liftMean(results[j + 1]!.days) }));
  const bestSweep = sweepAll.reduce((a, c) => (Math.abs(c.lift) < Math.abs(a.lift) ? c : a));
  const lines: string[] = [];
  const w = (s = ''): void => {
    lines.push(s);
  };
  w('# Reproduction: optimism-based exploration in a (simulated) large-scale recommender');
  w();
  w(
    `Source: Guo, Naeff, Nikulkov, Zhu, "Optimism Based Exploration in Large-Scale Recommender Systems" (arXiv:2305.11206). ` +
      `Seed ${opts.seed}${quick ? ', **quick run** (fewer users)' : ''}; ${results.length} simulations in ${seconds.toFixed(1)} s.`,
  );
  w();
  w(
    "The paper reports a production A/B test; we cannot rerun it. Everything below comes from `allot`'s simulated",
  );
  w(
    'short-video recommender (docs/explore.md): the same design (three hashed groups, 3 weeks of Phase I with a pooled',
  );
  w(
    'reward model and UCB in test only, 2 weeks of Phase II with one model per group, daily retraining) and the same',
  );
  w(
    'metrics, on a world whose parameters were set once from first principles and not tuned toward the paper.',
  );
  w();
  w(
    `Main run: ${main.assigned.production + main.assigned.control + main.assigned.test} users ` +
      `(production ${main.assigned.production}, control ${main.assigned.control}, test ${main.assigned.test}), ` +
      `14 burn-in days on the production policy, ${p1.length} + ${p2.length} experiment days, gamma = 1, ` +
      'infinite bonus for never-shown topics, 30 topics.',
  );
  w();
  w('## Findings');
  w();
  w('| finding (paper) | simulated | verdict |');
  w('|---|---|---|');
  w(`| Phase I: plays lift positive at first | mean lift days 1-3: ${pct(eEarly)} | ${holds(eEarly > 0)} |`);
  w(
    `| Phase I: the gain then shrinks | last 7 days of Phase I: ${pct(eLateP1)} (vs ${pct(eEarly)} at first) | ${holds(eEarly > 0 && eLateP1 < eEarly)} |`,
  );
  w(
    `| Phase II: the lift grows again | last 7 days of Phase II: ${pct(eP2)} (vs ${pct(eLateP1)} end of Phase I); counterfactual (${sweepUsers} users, same days): ${pct(cfSplit)} with the split vs ${pct(cfNoSplit)} with Phase I continued, difference ${pct(cfDiff)} +- ${pct(1.96 * cfSe)} | ${eP2 > eLateP1 ? (cfDiff > 1.96 * cfSe ? holds(true) : Math.abs(cfDiff) <= 1.96 * cfSe ? '**inconclusive**: the lift rises, but the split adds nothing distinguishable from noise over the Phase I trend' : holds(false)) : holds(false)} |`,
  );
  w(
    `| EI lower in test than control | test < control on ${pct(eiLower, 0)} of days; means ${num(groupMean(days, 'test', 'EI'))} vs ${num(groupMean(days, 'control', 'EI'))} nats | ${holds(eiLower > 0.9)} |`,
  );
  w(
    `| TE higher in test than control | test > control on ${pct(teHigher, 0)} of days; means ${num(groupMean(days, 'test', 'TE'))} vs ${num(groupMean(days, 'control', 'TE'))} | ${holds(teHigher > 0.9)} |`,
  );
  w(
    `| TE: initial jump, then decreasing through Phase I | TE lift days 1-3 ${pct(teEarly)}, last 7 days of Phase I ${pct(teLate)} | ${holds(teEarly > 0 && teLate < teEarly)} |`,
  );
  w(
    `| TD up in test | test > control on ${pct(tdHigher, 0)} of days; means ${num(groupMean(days, 'test', 'TD'), 2)} vs ${num(groupMean(days, 'control', 'TD'), 2)} topics/day | ${holds(tdHigher > 0.9)} |`,
  );
  w(
    `| TD: promotions weaken through Phase I, diversity grows again in Phase II | TD lift days 1-3 ${pct(tdEarly)}, last 7 days of Phase I ${pct(tdLate)}, last 7 days of Phase II ${pct(tdP2)} | ${holds(tdLate < tdEarly && tdP2 > tdLate)} |`,
  );
  w(
    `| control: more active users explored less efficiently (Fig. 4) | EI ${num(eiLow, 2)} (least active third of buckets) vs ${num(eiHigh, 2)} (most active); IU ${num(iuLow, 2)} vs ${num(iuHigh, 2)} | ${holds(eiHigh > eiLow && iuHigh < iuLow)} |`,
  );
  w(
    `| effect size about +0.5 % plays | mean daily lift over all ${days.length} days: ${pct(all.est, 2)} (95 % CI ${pct(all.lo, 2)} to ${pct(all.hi, 2)}, days treated as independent); paper: +${(100 * PAPER_LIFT).toFixed(1)} % | ${holds(all.lo <= PAPER_LIFT && PAPER_LIFT <= all.hi)} |`,
  );
  w();
  w('## Lift of plays by day (Figure 3 analogue, `fig3-plays-lift.svg`)');
  w();
  w(
    '| day | phase | control plays/user | test plays/user | lift | 95 % CI | EI c / t | TE c / t | TD c / t |',
  );
  w('|---|---|---|---|---|---|---|---|---|');
  for (const d of days) {
    const l = d.lift.plays;
    w(
      `| ${d.day} | ${d.phase} | ${num(d.groups.control.plays, 2)} | ${num(d.groups.test.plays, 2)} | ${pct(l.estimate ?? Number.NaN)} | ${pct(l.ci95[0] ?? Number.NaN)} to ${pct(l.ci95[1] ?? Number.NaN)} | ${num(d.groups.control.EI, 2)} / ${num(d.groups.test.EI, 2)} | ${num(d.groups.control.TE)} / ${num(d.groups.test.TE)} | ${num(d.groups.control.TD, 1)} / ${num(d.groups.test.TD, 1)} |`,
    );
  }
  w();
  w('## Loop and skip rates (Figure 6 analogue, `fig6-tasks-lift.svg`)');
  w();
  w(
    `Mean lift of the loop rate: Phase I ${pct(liftMean(p1, 'loop'))}, Phase II ${pct(liftMean(p2, 'loop'))}; ` +
      `skip rate: Phase I ${pct(liftMean(p1, 'skip'))}, Phase II ${pct(liftMean(p2, 'skip'))}; ` +
      `completion rate: Phase I ${pct(liftMean(p1, 'complete'))}, Phase II ${pct(liftMean(p2, 'complete'))}. ` +
      'The paper reports an initial bump, then loop rates above control and skip rates tied with control in Phase II.',
  );
  w();
  w('## Exploration efficiency by activity, control (Figure 4 analogue, `fig4-activity-control.svg`)');
  w();
  w('| plays over the experiment | users | EI | IU | TE | TD |');
  w('|---|---|---|---|---|---|');
  for (const x of main.buckets.control) {
    if (x.users === 0) continue;
    w(
      `| ${x.lo}-${x.hi - 1} | ${x.users} | ${num(x.EI, 2)} | ${num(x.IU, 2)} | ${num(x.TE)} | ${num(x.TD, 2)} |`,
    );
  }
  w();
  w('## UCB settings (same simulated users, `sweep-plays-lift.svg`)');
  w();
  w(
    `${sweepUsers} users each; gamma and the rule for never-shown topics vary, everything else is the default.`,
  );
  w();
  w(
    '| setting | lift days 1-3 | last 7 days Phase I | last 7 days Phase II | all days | EI c / t | TE c / t | TD c / t |',
  );
  w('|---|---|---|---|---|---|---|---|');
  sweep.forEach((x, j) => {
    const r = results[j + 1]!;
    const q1 = r.days.filter((d) => d.phase === 1);
    const q2 = r.days.filter((d) => d.phase === 2);
    w(
      `| ${x.label} | ${pct(liftMean(q1.slice(0, 3)))} | ${pct(liftMean(q1.slice(-7)))} | ${pct(liftMean(q2.slice(-7)))} | ${pct(liftMean(r.days))} | ${num(groupMean(r.days, 'control', 'EI'), 2)} / ${num(groupMean(r.days, 'test', 'EI'), 2)} | ${num(groupMean(r.days, 'control', 'TE'))} / ${num(groupMean(r.days, 'test', 'TE'))} | ${num(groupMean(r.days, 'control', 'TD'), 2)} / ${num(groupMean(r.days, 'test', 'TD'), 2)} |`,
    );
  });
  w();
  w('## Why the plays findings do or do not reproduce here');
  w();
  w(
    `At the start of Phase I the production policy already knew most users' interests: ${pct(dg.bestTopicShown, 0)} of users had ` +
      `been shown their truly best topic, ${pct(dg.bestTopicIsMostShown, 0)} had it as their most-shown topic, users had seen ` +
      `${num(dg.topicsShown, 1)} of 30 topics, and the model's top topic was on average ${num(dg.relevanceGapOfModelTop)} below the ` +
      'best true relevance. Three features of the simulator make exploration cheap for production and costly for UCB:',
  );
  w(
    '(1) half of the topics, drawn uniformly, are available at each request, so even the greedy production policy',
  );
  w(
    'rotates through topics and keeps learning (free exploration that a personalised upstream sourcing stage would',
  );
  w(
    "not give); (2) the reward model blends the user's own history of a topic into its prediction, so greedy ranking on",
  );
  w(
    'it already behaves like a per-user bandit with an informed prior; (3) interests are stationary, so information',
  );
  w(
    'found by exploring never goes stale in production. The UCB bonus gamma sqrt(ln N_t / N_t,a) is on the scale of the',
  );
  w(
    'weighted prediction (0 to 1.5): with gamma = 1, and with the literal Eq. 1 rule that a never-shown topic has an',
  );
  w(
    'infinite bonus, the test group spends its first days on every unseen topic and keeps re-trying mediocre ones,',
  );
  w('which costs more plays than the discovered topics return within 5 weeks.');
  {
    const a = cfSplit;
    const c = cfNoSplit;
    w(
      `Is the Phase II improvement due to the data split? On the same ${sweepUsers} users with gamma = 1, the lift over ` +
        `days 29-35 is ${pct(a)} with Phase II from day 22 and ${pct(c)} when Phase I (one pooled model) simply continues; ` +
        `the difference, ${pct(a - c)} (+- ${pct(1.96 * cfSe)}, 95 %, from the spread of the 7 paired daily differences), is what the split ` +
        'itself adds here (the rest of the recovery is the UCB bonus ' +
        "shrinking as the test users' counts grow, which already happens in Phase I).",
    );
  }
  w(
    `Across the sweep the all-days lift ranges from ${pct(Math.min(...sweepAll.map((x) => x.lift)))} to ` +
      `${pct(Math.max(...sweepAll.map((x) => x.lift)))}; it is closest to zero for "${bestSweep.label}".`,
  );
  w(
    `Noise: the average daily standard error of the plays lift is ${pct(dailySe, 2)} with ${main.assigned.control} control ` +
      `users, so a daily effect of the paper's size (+0.5 %) would need about ${Math.ceil(((2.8 * dailySe) / PAPER_LIFT) ** 2)}x ` +
      'more users per group to be detected (80 % power, 5 % level): the simulation can show the direction and shape of large ' +
      'effects, not confirm or refute an effect of +0.5 %.',
  );
  w(
    'The exploration-efficiency findings (EI down, TE and TD up, the feedback loop in control) follow from how UCB ' +
      'spreads recommendations over topics with uncertain posteriors; the table above says which of them hold here.',
  );
  w();
  w('## Files');
  w();
  for (const f of files) w(`- \`${f.split('/').pop()}\``);
  w('- `results.json`: the main run (settings, every day, buckets, diagnostics) and the sweep summaries');
  const report = join(out, 'report.md');
  writeFileAtomic(report, `${lines.join('\n')}\n`);
  const resultsPath = join(out, 'results.json');
  writeFileAtomic(
    resultsPath,
    toJson({
      main,
      sweep: sweep.map((x, j) => ({
        label: x.label,
        setting: x.s,
        liftByDay: results[j + 1]!.days.map((d) => d.lift.plays.estimate),
        diagnostics: results[j + 1]!.diagnostics,
      })),
      seconds,
    }),
  );
  files.push(report, resultsPath);
  return {
    report,
    files,
    summary: [
      `plays lift: days 1-3 ${pct(eEarly)}, end of Phase I ${pct(eLateP1)}, end of Phase II ${pct(eP2)}; all days ${pct(all.est, 2)} (paper about +0.5 %)`,
      `EI lower in test on ${pct(eiLower, 0)} of days, TE higher on ${pct(teHigher, 0)}, TD higher on ${pct(tdHigher, 0)}`,
    ],
  };
}
