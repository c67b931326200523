/** Web Worker: builds a reproduction report (dp or forecast) in the browser with the code the CLI uses. */
import notebookReference from '../../../fixtures/dp/notebook-reference.json';
import modelOutput from '../../../fixtures/forecast/model-output.csv?raw';
import targetData from '../../../fixtures/forecast/target-data.csv?raw';
import {
  buildDpReport,
  buildForecastReport,
  type DpNotebookReference,
  type Report,
} from '../../../src/reports/index.js';
import { errorData, onMessage, post } from './post.js';

/** A request: build this domain's report. */
export interface ReportRequest {
  readonly id: number;
  readonly domain: 'dp' | 'forecast';
}

/** The answer. */
export type ReportMessage =
  | {
      readonly type: 'done';
      readonly id: number;
      readonly report: Report;
      readonly milliseconds: number;
      readonly generatedAt: string;
    }
  | { readonly type: 'error'; readonly id: number; readonly code: string; readonly message: string };

onMessage<ReportRequest>((req) => {
  try {
    const t0 = performance.now();
    const generatedAt = new Date().toISOString();
    const report =
      req.domain === 'dp'
        ? buildDpReport({
            reference: notebookReference as unknown as DpNotebookReference,
            referencePath: 'fixtures/dp/notebook-reference.json (bundled copy)',
            generatedAt,
          })
        : buildForecastReport({
            modelOutputCsv: modelOutput,
            targetDataCsv: targetData,
            source: 'fixtures/forecast (the bundled FluSight sample)',
            full: false,
            quick: true,
            seed: 1,
          });
    post({ type: 'done', id: req.id, report, milliseconds: performance.now() - t0, generatedAt });
  } catch (e) {
    post({ type: 'error', id: req.id, ...errorData(e) });
  }
});
