/**
 * A Personalizer loop's service configuration (`GET|PUT configurations/service`): Personalizer's fields, defaults
 * and ranges, with ISO 8601 durations. It is mutable (unlike an allot agent's policy) and lives in the store as a
 * record of kind {@link CONFIG_RECORD} keyed by the loop's agent key.
 */
import { PersonalizerError } from './errors.js';

/** Record kind of the service configurations. */
export const CONFIG_RECORD = 'personalizer-config';

/** The service configuration, as Personalizer's REST API reads and writes it. */
export interface ServiceConfiguration {
  rewardWaitTime: string;
  defaultReward: number;
  rewardAggregation: 'earliest' | 'average';
  explorationPercentage: number;
  modelExportFrequency: string;
  logMirrorEnabled: boolean;
  logRetentionDays: number;
  lastConfigurationEditDate: string;
  learningMode: 'Online' | 'Apprentice' | 'LoggingOnly';
  isAutoOptimizationEnabled: boolean;
  autoOptimizationFrequency: string;
  autoOptimizationStartDate: string;
  logMirrorSasUri?: string;
}

/** Personalizer's defaults (a new loop starts with these). */
export function defaultServiceConfiguration(now: number): ServiceConfiguration {
  return {
    rewardWaitTime: 'PT10M',
    defaultReward: 0,
    rewardAggregation: 'earliest',
    explorationPercentage: 0.2,
    modelExportFrequency: 'PT5M',
    logMirrorEnabled: false,
    logRetentionDays: 90,
    lastConfigurationEditDate: new Date(now).toISOString(),
    learningMode: 'Online',
    isAutoOptimizationEnabled: false,
    autoOptimizationFrequency: 'P7D',
    autoOptimizationStartDate: new Date(now).toISOString(),
  };
}

const DURATION =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Seconds of an ISO 8601 duration (`PnW`, `PnDTnHnMnS`; also .NET's `hh:mm:ss` and `d.hh:mm:ss`).
 *
 * @returns the seconds, or NaN when the text is not a duration.
 */
export function durationSeconds(text: string): number {
  const ts = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text);
  if (ts !== null)
    return Number(ts[1] ?? 0) * 86400 + Number(ts[2]) * 3600 + Number(ts[3]) * 60 + Number(ts[4]);
  const m = DURATION.exec(text);
  if (m === null || text === 'P' || text.endsWith('T')) return Number.NaN;
  const [w, d, h, min, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return w * 604800 + d * 86400 + h * 3600 + min * 60 + s;
}

/** The canonical ISO 8601 text of a number of seconds (`PT10M`, `P2D`, `PT1H30M5S`). */
export function formatDuration(seconds: number): string {
  let rest = seconds;
  const d = Math.floor(rest / 86400);
  rest -= d * 86400;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = Math.round((rest - m * 60) * 1000) / 1000;
  const time = `${h > 0 ? `${h}H` : ''}${m > 0 ? `${m}M` : ''}${s > 0 ? `${s}S` : ''}`;
  if (d === 0 && time === '') return 'PT0S';
  return `P${d > 0 ? `${d}D` : ''}${time === '' ? '' : `T${time}`}`;
}

const invalid = (code: string, message: string): never => {
  throw new PersonalizerError(400, code, message);
};

/**
 * Validates a `PUT configurations/service` body and merges it over the current configuration (absent fields keep
 * their value; durations are rewritten canonically).
 *
 * @throws PersonalizerError 400 `InvalidServiceConfiguration` (or `InvalidRewardWaitTime`,
 *   `InvalidLogRetentionDays`) naming the bad field; nothing is stored then.
 */
export function mergeServiceConfiguration(
  current: ServiceConfiguration,
  body: unknown,
  now: number,
): ServiceConfiguration {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    invalid('InvalidServiceConfiguration', 'the service configuration must be a JSON object');
  const b = body as Record<string, unknown>;
  const out: ServiceConfiguration = { ...current };
  const known = Object.keys(defaultServiceConfiguration(0)).concat('logMirrorSasUri');
  for (const k of Object.keys(b)) {
    if (!known.includes(k))
      invalid(
        'InvalidServiceConfiguration',
        `unknown field ${JSON.stringify(k)} (known: ${known.join(', ')})`,
      );
  }
  const duration = (k: string, lo: number, hi: number, code: string): string | undefined => {
    const v = b[k];
    if (v === undefined) return undefined;
    const s = typeof v === 'string' ? durationSeconds(v) : Number.NaN;
    if (!(s >= lo && s <= hi))
      invalid(
        code,
        `${k} must be an ISO 8601 duration between ${formatDuration(lo)} and ${formatDuration(hi)} (got ${JSON.stringify(v)})`,
      );
    return formatDuration(s);
  };
  const wait = duration('rewardWaitTime', 5, 2 * 86400, 'InvalidRewardWaitTime');
  if (wait !== undefined) out.rewardWaitTime = wait;
  const exp = duration('modelExportFrequency', 0, 365 * 86400, 'InvalidServiceConfiguration');
  if (exp !== undefined) out.modelExportFrequency = exp;
  const auto = duration('autoOptimizationFrequency', 0, 365 * 86400, 'InvalidServiceConfiguration');
  if (auto !== undefined) out.autoOptimizationFrequency = auto;
  if (b['defaultReward'] !== undefined) {
    const v = b['defaultReward'];
    if (typeof v !== 'number' || !(v >= -1 && v <= 1))
      invalid(
        'InvalidServiceConfiguration',
        `defaultReward must be a number in [-1, 1] (got ${JSON.stringify(v)})`,
      );
    out.defaultReward = v as number;
  }
  if (b['explorationPercentage'] !== undefined) {
    const v = b['explorationPercentage'];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1))
      invalid(
        'InvalidServiceConfiguration',
        `explorationPercentage must be a fraction in [0, 1] (got ${JSON.stringify(v)})`,
      );
    out.explorationPercentage = v as number;
  }
  if (b['rewardAggregation'] !== undefined) {
    const v = b['rewardAggregation'];
    if (v !== 'earliest' && v !== 'average')
      invalid(
        'InvalidServiceConfiguration',
        `rewardAggregation must be earliest or average (got ${JSON.stringify(v)})`,
      );
    out.rewardAggregation = v as 'earliest' | 'average';
  }
  if (b['learningMode'] !== undefined) {
    const v = b['learningMode'];
    if (v !== 'Online' && v !== 'Apprentice' && v !== 'LoggingOnly')
      invalid(
        'InvalidLearningModeServiceConfiguration',
        `learningMode must be Online, Apprentice or LoggingOnly (got ${JSON.stringify(v)})`,
      );
    out.learningMode = v as ServiceConfiguration['learningMode'];
  }
  if (b['logRetentionDays'] !== undefined) {
    const v = b['logRetentionDays'];
    if (typeof v !== 'number' || !Number.isInteger(v) || !(v === -1 || (v >= 1 && v <= 36500)))
      invalid(
        'InvalidLogRetentionDays',
        `logRetentionDays must be -1 (keep forever) or an integer in [1, 36500] (got ${JSON.stringify(v)})`,
      );
    out.logRetentionDays = v as number;
  }
  for (const k of ['logMirrorEnabled', 'isAutoOptimizationEnabled'] as const) {
    const v = b[k];
    if (v === undefined) continue;
    if (typeof v !== 'boolean')
      invalid('InvalidServiceConfiguration', `${k} must be a boolean (got ${JSON.stringify(v)})`);
    out[k] = v as boolean;
  }
  if (b['logMirrorSasUri'] !== undefined) {
    if (typeof b['logMirrorSasUri'] !== 'string')
      invalid('InvalidServiceConfiguration', 'logMirrorSasUri must be a string');
    out.logMirrorSasUri = b['logMirrorSasUri'] as string;
  }
  if (b['autoOptimizationStartDate'] !== undefined) {
    const v = b['autoOptimizationStartDate'];
    if (typeof v !== 'string' || Number.isNaN(Date.parse(v)))
      invalid(
        'InvalidServiceConfiguration',
        `autoOptimizationStartDate must be a date (got ${JSON.stringify(v)})`,
      );
    out.autoOptimizationStartDate = new Date(Date.parse(v as string)).toISOString();
  }
  out.lastConfigurationEditDate = new Date(now).toISOString();
  return out;
}
