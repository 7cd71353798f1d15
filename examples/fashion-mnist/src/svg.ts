/** One line of a chart: points in data coordinates. */
export interface ChartSeries {
  name: string;
  points: readonly (readonly [number, number])[];
  color: string;
  /** Draw a dot at each point (for per-epoch figures). @defaultValue false */
  markers?: boolean;
  /** A dashed line. @defaultValue false */
  dashed?: boolean;
}

/** One panel: a title, axis labels and its series. */
export interface ChartPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  /** The y range; computed from the data when absent. */
  yRange?: readonly [number, number];
}

const PANEL_WIDTH = 440;
const PANEL_HEIGHT = 320;
const MARGIN = { left: 56, right: 16, top: 36, bottom: 44 };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About five round tick values covering [low, high]. */
export function niceTicks(low: number, high: number, count = 5): number[] {
  if (!(high > low)) return [low];
  const raw = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= raw) ?? raw;
  const ticks: number[] = [];
  for (let value = Math.ceil(low / step) * step; value <= high + step * 1e-9; value += step) ticks.push(Number(value.toPrecision(12)));
  return ticks;
}

function formatTick(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(3)));
}

function panelSvg(panel: ChartPanel, offsetX: number): string {
  const points = panel.series.flatMap((series) => series.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  let xLow = Math.min(0, ...xs);
  let xHigh = Math.max(...xs, xLow + 1);
  let [yLow, yHigh] = panel.yRange ?? [Math.min(...ys), Math.max(...ys)];
  if (!(yHigh > yLow)) [yLow, yHigh] = [yLow - 0.5, yLow + 0.5];
  if (!Number.isFinite(xHigh)) [xLow, xHigh] = [0, 1];
  const width = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const height = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number): number => offsetX + MARGIN.left + ((x - xLow) / (xHigh - xLow)) * width;
  const sy = (y: number): number => MARGIN.top + (1 - (y - yLow) / (yHigh - yLow)) * height;
  const parts: string[] = [];
  parts.push(`<text x="${offsetX + PANEL_WIDTH / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`);
  for (const tick of niceTicks(yLow, yHigh)) {
    const y = sy(tick).toFixed(1);
    parts.push(`<line x1="${sx(xLow).toFixed(1)}" y1="${y}" x2="${sx(xHigh).toFixed(1)}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${(sx(xLow) - 6).toFixed(1)}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${formatTick(tick)}</text>`);
  }
  for (const tick of niceTicks(xLow, xHigh)) {
    const x = sx(tick).toFixed(1);
    parts.push(`<line x1="${x}" y1="${sy(yLow).toFixed(1)}" x2="${x}" y2="${(sy(yLow) + 4).toFixed(1)}" stroke="#333"/>`);
    parts.push(`<text x="${x}" y="${(sy(yLow) + 16).toFixed(1)}" text-anchor="middle" font-size="11">${formatTick(tick)}</text>`);
  }
  parts.push(
    `<rect x="${sx(xLow).toFixed(1)}" y="${MARGIN.top}" width="${width}" height="${height}" fill="none" stroke="#333"/>`,
    `<text x="${offsetX + MARGIN.left + width / 2}" y="${PANEL_HEIGHT - 8}" text-anchor="middle" font-size="12">${escapeXml(panel.xLabel)}</text>`,
    `<text transform="translate(${offsetX + 14} ${MARGIN.top + height / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(panel.yLabel)}</text>`,
  );
  panel.series.forEach((series, index) => {
    const finite = series.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (finite.length > 1) {
      const path = finite.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
      parts.push(`<path d="${path}" fill="none" stroke="${series.color}" stroke-width="1.8"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    }
    if (series.markers || finite.length === 1) {
      for (const [x, y] of finite) parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3.5" fill="${series.color}"/>`);
    }
    const legendY = MARGIN.top + 14 + index * 16;
    const legendX = offsetX + MARGIN.left + width - 150;
    parts.push(
      `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 20}" y2="${legendY}" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${legendX + 26}" y="${legendY}" dominant-baseline="middle" font-size="11">${escapeXml(series.name)}</text>`,
    );
  });
  return parts.join('\n  ');
}

/**
 * A standalone SVG document with the panels side by side: hand-written
 * markup (axes, ticks, grid lines, legend), no dependencies.
 */
export function renderChartSvg(panels: readonly ChartPanel[]): string {
  const width = PANEL_WIDTH * panels.length;
  const body = panels.map((panel, index) => panelSvg(panel, index * PANEL_WIDTH)).join('\n  ');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL_HEIGHT}" viewBox="0 0 ${width} ${PANEL_HEIGHT}" ` +
    `font-family="system-ui, sans-serif">\n  <rect width="100%" height="100%" fill="white"/>\n  ${body}\n</svg>\n`
  );
}
