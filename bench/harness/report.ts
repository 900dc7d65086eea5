/** Aggregation (median, spread, ratios), the terminal table and the hand-written SVG chart. */

export const METRICS = [
  { key: 'syncRate', label: 'sync/s', kind: 'rate' },
  { key: 'sync64Rate', label: 'sync×64/s', kind: 'rate' },
  { key: 'sync256Rate', label: 'sync×256/s', kind: 'rate' },
  { key: 'batchRate', label: 'batch/s', kind: 'rate' },
  { key: 'onewayRate', label: 'oneway/s', kind: 'rate' },
  { key: 'e2eRate', label: 'e2e/s', kind: 'rate' },
  { key: 'p50', label: 'p50 ms', kind: 'ms' },
  { key: 'p99', label: 'p99 ms', kind: 'ms' },
  { key: 'p999', label: 'p999 ms', kind: 'ms' },
  { key: 'brokerRssMB', label: 'broker MB', kind: 'mb' },
  { key: 'clientRssMB', label: 'client MB', kind: 'mb' },
] as const;
export type MetricKey = (typeof METRICS)[number]['key'];

export interface Stat {
  median: number;
  min: number;
  max: number;
  /** (max - min) / median, in percent. */
  spreadPct: number;
  runs: number[];
}

export function stat(values: Array<number | null | undefined>): Stat | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], spreadPct: median ? ((v[v.length - 1] - v[0]) / median) * 100 : 0, runs: values as number[] };
}

export function fmt(kind: string, x: number | undefined | null): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return '—';
  if (kind === 'rate') return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e4 ? `${(x / 1e3).toFixed(1)}k` : x >= 1e3 ? `${(x / 1e3).toFixed(2)}k` : x.toFixed(0);
  if (kind === 'ms') return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
  if (kind === 'mb') return x.toFixed(0);
  return x.toFixed(2);
}

function pad(s: string, w: number, left = false): string {
  return left ? s.padEnd(w) : s.padStart(w);
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i], i === 0)).join('  ');
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Horizontal grouped bars: one panel per metric, one group per system, one bar per message size. */
export function svgChart(
  title: string,
  systems: Array<{ id: string; label: string }>,
  sizes: number[],
  value: (system: string, size: number, metric: 'e2eRate' | 'p99') => Stat | null,
  note: string,
): string {
  const panels: Array<{ metric: 'e2eRate' | 'p99'; title: string; unit: (x: number) => string }> = [
    { metric: 'e2eRate', title: 'End-to-end throughput (msg/s, higher is better)', unit: (x) => fmt('rate', x) },
    { metric: 'p99', title: 'p99 latency at 2,000 msg/s (ms, lower is better)', unit: (x) => `${fmt('ms', x)} ms` },
  ];
  const colors = ['#2b6cb0', '#dd6b20', '#38a169', '#805ad5'];
  const labelW = 250;
  const barW = 420;
  const barH = 14;
  const groupH = sizes.length * (barH + 3) + 10;
  const panelH = 40 + systems.length * groupH;
  const width = labelW + barW + 130;
  const height = 60 + panels.length * (panelH + 20) + 30;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(`<text x="10" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  sizes.forEach((size, i) => {
    const x = width - 120 + 0;
    out.push(`<rect x="${x}" y="${10 + i * 16}" width="12" height="12" fill="${colors[i % colors.length]}"/><text x="${x + 16}" y="${20 + i * 16}">${size >= 1024 ? `${size / 1024} KiB` : `${size} B`}</text>`);
  });
  let y = 50;
  for (const panel of panels) {
    out.push(`<text x="10" y="${y + 14}" font-size="13" font-weight="bold">${esc(panel.title)}</text>`);
    let maxV = 0;
    for (const s of systems) for (const size of sizes) maxV = Math.max(maxV, value(s.id, size, panel.metric)?.median ?? 0);
    if (maxV <= 0) maxV = 1;
    let gy = y + 28;
    for (const s of systems) {
      out.push(`<text x="${labelW - 8}" y="${gy + (groupH - 10) / 2 + 4}" text-anchor="end">${esc(s.label)}</text>`);
      sizes.forEach((size, i) => {
        const st = value(s.id, size, panel.metric);
        const by = gy + i * (barH + 3);
        if (!st) {
          out.push(`<text x="${labelW + 4}" y="${by + barH - 3}" fill="#888">skipped / n/a</text>`);
          return;
        }
        const w = Math.max(1, (st.median / maxV) * barW);
        const lo = (st.min / maxV) * barW;
        const hi = (st.max / maxV) * barW;
        out.push(`<rect x="${labelW}" y="${by}" width="${w.toFixed(1)}" height="${barH}" fill="${colors[i % colors.length]}"/>`);
        out.push(`<line x1="${(labelW + lo).toFixed(1)}" x2="${(labelW + hi).toFixed(1)}" y1="${by + barH / 2}" y2="${by + barH / 2}" stroke="#222" stroke-width="1"/>`);
        out.push(`<text x="${(labelW + Math.max(w, hi) + 5).toFixed(1)}" y="${by + barH - 3}">${esc(panel.unit(st.median))}</text>`);
      });
      gy += groupH;
    }
    y += panelH + 20;
  }
  out.push(`<text x="10" y="${height - 12}" fill="#555" font-size="11">${esc(note)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
