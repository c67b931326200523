/**
 * A small RFC 4180 CSV reader for the evaluation inputs (OBD logs, allot's exported logs, action-distribution
 * files). Pure string code, browser-safe: the CLI reads the file, this parses the text.
 */
import { AllotError } from '../core/errors.js';

/** A parsed CSV table: the header and the records, every record as long as the header. */
export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/**
 * Parses CSV text (comma separator, `"` quoting with `""` escapes, CRLF or LF line ends). Empty lines are skipped.
 *
 * @param text - the whole file.
 * @param what - a name for error messages (the file or its role).
 * @returns the header and the records.
 * @throws ALLOT_PARSE_ERROR on an unterminated quote or a record whose field count differs from the header's.
 */
export function parseCsv(text: string, what = 'CSV'): CsvTable {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 0;
  const n = text.length;
  let line = 1;
  let quoted = false;
  let any = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 34) {
        if (text.charCodeAt(i + 1) === 34) {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (c === 10) line++;
      // Take a run of ordinary characters at once.
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 34 || d === 10) break;
        j++;
      }
      field += text.slice(i, j);
      i = j;
      continue;
    }
    if (c === 34 && field === '') {
      quoted = true;
      any = true;
      i++;
    } else if (c === 44) {
      record.push(field);
      field = '';
      any = true;
      i++;
    } else if (c === 10 || c === 13) {
      if (any || field !== '') {
        record.push(field);
        records.push(record);
      }
      record = [];
      field = '';
      any = false;
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      i++;
      line++;
    } else {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 44 || d === 10 || d === 13 || d === 34) break;
        j++;
      }
      field += text.slice(i, j);
      any = true;
      i = j;
    }
  }
  if (quoted) throw new AllotError('ALLOT_PARSE_ERROR', `${what}: unterminated quoted field (line ${line})`);
  if (any || field !== '') {
    record.push(field);
    records.push(record);
  }
  if (records.length === 0) throw new AllotError('ALLOT_PARSE_ERROR', `${what} is empty (no header)`);
  const header = records[0]!.map((h) => h.trim());
  const rows = records.slice(1);
  for (let r = 0; r < rows.length; r++) {
    if (rows[r]!.length !== header.length) {
      throw new AllotError(
        'ALLOT_PARSE_ERROR',
        `${what}: record ${r + 1} has ${rows[r]!.length} fields, the header has ${header.length}`,
      );
    }
  }
  return { header, rows };
}

/** The index of each named column; a missing one is ALLOT_MISSING_COLUMN naming all that are missing. */
export function requireColumns(table: CsvTable, names: readonly string[], what: string): number[] {
  const idx = names.map((nm) => table.header.indexOf(nm));
  const missing = names.filter((_, k) => idx[k]! < 0);
  if (missing.length > 0) {
    throw new AllotError(
      'ALLOT_MISSING_COLUMN',
      `${what} lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (has ${table.header.slice(0, 12).join(', ')}${table.header.length > 12 ? ', ...' : ''})`,
    );
  }
  return idx;
}
