/**
 * A small markdown renderer for the reproduction reports (headings, paragraphs, lists, pipe tables, code, bold,
 * italics, links and images), building DOM nodes (never innerHTML), so report text cannot inject markup. Images
 * and links that name one of the report's charts render that chart's spec instead.
 */
import { h } from './dom.js';

/** How images and links resolve: a chart element for a chart's file name, else a URL (or null: plain text). */
export interface MarkdownRefs {
  chart(file: string): HTMLElement | null;
  /** Whether a chart of that file name exists (links to it become in-page anchors). */
  has(file: string): boolean;
  url(target: string): string | null;
}

const INLINE = /(`[^`]+`|\*\*[^*]+\*\*|!\[[^\]]*\]\([^)\s]+\)|\[[^\]]+\]\([^)\s]+\)|\*[^*\s][^*]*\*)/;

type Rule = readonly [RegExp, (m: RegExpExecArray, refs: MarkdownRefs, used: Set<string>) => Node];

const RULES: readonly Rule[] = [
  [/^`([^`]+)`$/, (m) => h('code', {}, m[1]!)],
  [/^\*\*([^*]+)\*\*$/, (m) => h('strong', {}, m[1]!)],
  [
    /^!\[([^\]]*)\]\(([^)\s]+)\)$/,
    (m, refs, used) => {
      const chart = refs.chart(m[2]!);
      if (chart) {
        used.add(m[2]!);
        return chart;
      }
      const url = refs.url(m[2]!);
      return url ? h('img', { src: url, alt: m[1]!, loading: 'lazy' }) : document.createTextNode(`[${m[1]}]`);
    },
  ],
  [
    /^\[([^\]]+)\]\(([^)\s]+)\)$/,
    (m, refs) => {
      const target = m[2]!;
      const url = refs.has(target) ? `#chart-${target}` : refs.url(target);
      return url ? h('a', { href: url }, m[1]!) : document.createTextNode(m[1]!);
    },
  ],
  [/^\*([^*]+)\*$/, (m) => h('em', {}, m[1]!)],
];

function inline(text: string, refs: MarkdownRefs, used: Set<string>): Node[] {
  const out: Node[] = [];
  for (const part of text.split(INLINE)) {
    if (part === '') continue;
    let node: Node | null = null;
    for (const [re, make] of RULES) {
      const m = re.exec(part);
      if (m) {
        node = make(m, refs, used);
        break;
      }
    }
    out.push(node ?? document.createTextNode(part));
  }
  return out;
}

function cells(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|')) s = s.slice(0, -1);
  return s.split('|').map((c) => c.trim());
}

/**
 * Renders markdown into a container.
 *
 * @returns the container and the chart files the text showed inline
 */
export function renderMarkdown(md: string, refs: MarkdownRefs): { el: HTMLDivElement; used: Set<string> } {
  const el = h('div', { class: 'md' });
  const used = new Set<string>();
  const lines = md.split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const m = /^(#{1,6})\s+(.*)$/.exec(line);
    if (m) {
      const level = Math.min(6, m[1]!.length + 1);
      el.append(h(`h${level}` as 'h2', {}, ...inline(m[2]!, refs, used)));
      i++;
    } else if (line.startsWith('```')) {
      const buf: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.startsWith('```')) buf.push(lines[i++]!);
      i++;
      el.append(h('pre', {}, h('code', {}, buf.join('\n'))));
    } else if (
      line.trim().startsWith('|') &&
      i + 1 < lines.length &&
      /^\s*\|?\s*:?-{3,}/.test(lines[i + 1]!)
    ) {
      const head = cells(line);
      const align = cells(lines[i + 1]!).map((c) => (c.endsWith(':') ? 'num' : ''));
      i += 2;
      const body: HTMLTableRowElement[] = [];
      while (i < lines.length && lines[i]!.trim().startsWith('|')) {
        body.push(
          h(
            'tr',
            {},
            ...cells(lines[i]!).map((c, j) => h('td', { class: align[j] || null }, ...inline(c, refs, used))),
          ),
        );
        i++;
      }
      el.append(
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...head.map((c, j) =>
                  h('th', { scope: 'col', class: align[j] || null }, ...inline(c, refs, used)),
                ),
              ),
            ),
            h('tbody', {}, ...body),
          ),
        ),
      );
    } else if (/^\s*[-*]\s+/.test(line)) {
      const ul = h('ul', {});
      while (i < lines.length && /^\s*[-*]\s+/.test(lines[i]!)) {
        let item = lines[i]!.replace(/^\s*[-*]\s+/, '');
        i++;
        while (i < lines.length && /^\s{2,}\S/.test(lines[i]!) && !/^\s*[-*]\s+/.test(lines[i]!))
          item += ` ${lines[i++]!.trim()}`;
        ul.append(h('li', {}, ...inline(item, refs, used)));
      }
      el.append(ul);
    } else {
      const buf: string[] = [line];
      i++;
      while (
        i < lines.length &&
        lines[i]!.trim() !== '' &&
        !/^(#{1,6}\s|```|\s*[-*]\s+|\s*\|)/.test(lines[i]!)
      )
        buf.push(lines[i++]!);
      el.append(h('p', {}, ...inline(buf.join(' '), refs, used)));
    }
  }
  return { el, used };
}
