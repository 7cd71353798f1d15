/**
 * Canvas drawing shared by the demos: grey-scale maps, diverging heat maps,
 * scatter plots and line charts. Everything scales to the canvas it is given.
 */

/** Draws `values` (row-major `rows × columns`) as grey pixels, black at the minimum and white at the maximum. */
export function drawGrey(canvas: HTMLCanvasElement, values: ArrayLike<number>, rows: number, columns: number, scale = 4): void {
  canvas.width = columns * scale;
  canvas.height = rows * scale;
  const context = canvas.getContext('2d')!;
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < rows * columns; i++) {
    low = Math.min(low, values[i]!);
    high = Math.max(high, values[i]!);
  }
  const span = high - low || 1;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const level = Math.round((255 * (values[r * columns + c]! - low)) / span);
      context.fillStyle = `rgb(${level},${level},${level})`;
      context.fillRect(c * scale, r * scale, scale, scale);
    }
  }
}

/** Draws `values` as a heat map centred on 0: blue below, red above, white at 0, saturating at ±`limit`. */
export function drawDiverging(canvas: HTMLCanvasElement, values: ArrayLike<number>, rows: number, columns: number, cell: number, limit: number): void {
  canvas.width = columns * cell;
  canvas.height = rows * cell;
  const context = canvas.getContext('2d')!;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const t = Math.max(-1, Math.min(1, values[r * columns + c]! / limit));
      const fade = Math.round(255 * (1 - Math.abs(t)));
      context.fillStyle = t >= 0 ? `rgb(255,${fade},${fade})` : `rgb(${fade},${fade},255)`;
      context.fillRect(c * cell, r * cell, cell - 1, cell - 1);
    }
  }
}

/** One line of a chart. */
export interface Series {
  name: string;
  color: string;
  points: readonly [number, number][];
}

/** Draws line series on shared axes, with the y range given or fitted. */
export function drawLines(canvas: HTMLCanvasElement, series: readonly Series[], yRange?: [number, number]): void {
  const context = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const margin = 32;
  context.clearRect(0, 0, width, height);
  context.fillStyle = '#fff';
  context.fillRect(0, 0, width, height);
  const all = series.flatMap((line) => line.points);
  if (all.length === 0) return;
  const xMax = Math.max(1, ...all.map(([x]) => x));
  const [yLow, yHigh] = yRange ?? [Math.min(0, ...all.map(([, y]) => y)), Math.max(...all.map(([, y]) => y)) * 1.05 || 1];
  const px = (x: number): number => margin + ((width - 2 * margin) * x) / xMax;
  const py = (y: number): number => height - margin - ((height - 2 * margin) * (y - yLow)) / (yHigh - yLow || 1);
  context.strokeStyle = '#999';
  context.strokeRect(margin, margin, width - 2 * margin, height - 2 * margin);
  context.fillStyle = '#333';
  context.font = '11px sans-serif';
  context.fillText(yHigh.toFixed(2), 2, margin + 4);
  context.fillText(yLow.toFixed(2), 2, height - margin);
  context.fillText(String(Math.round(xMax)), width - margin - 10, height - margin + 14);
  series.forEach((line, index) => {
    context.strokeStyle = line.color;
    context.lineWidth = 2;
    context.beginPath();
    line.points.forEach(([x, y], i) => (i === 0 ? context.moveTo(px(x), py(y)) : context.lineTo(px(x), py(y))));
    context.stroke();
    context.fillStyle = line.color;
    context.fillText(line.name, margin + 8 + index * 110, margin - 8);
  });
}

/** Whether a canvas has at least two different pixel colours (the browser tests' "not blank"). */
export function isDrawn(canvas: HTMLCanvasElement): boolean {
  const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 4; i < data.length; i += 4) {
    if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) return true;
  }
  return false;
}
