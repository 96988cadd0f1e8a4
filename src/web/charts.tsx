/** Bar charts drawn as inline SVG on the server: no script, no outside resource, readable without colour. */

export interface Series {
  key: string;
  label: string;
  /** A CSS class from site.css that sets the fill. */
  className: string;
}

export interface StackedBarsProps {
  title: string;
  days: { date: string; values: Record<string, number> }[];
  series: Series[];
}

const WIDTH = 720;
const HEIGHT = 200;
const LEFT = 36;
const BOTTOM = 28;
const TOP = 10;

/** A "nice" upper bound for the axis: 1, 2 or 5 times a power of ten. */
export function axisMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** Decisions per day stacked by series, with a total above each day and a legend; a table follows for exact numbers. */
export function StackedBars({ title, days, series }: StackedBarsProps) {
  const totals = days.map((day) => series.reduce((sum, s) => sum + (day.values[s.key] ?? 0), 0));
  const max = axisMax(Math.max(0, ...totals));
  const plotHeight = HEIGHT - BOTTOM - TOP;
  const slot = (WIDTH - LEFT) / Math.max(1, days.length);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (value: number) => TOP + plotHeight - (value / max) * plotHeight;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title} xmlns="http://www.w3.org/2000/svg">
        <line x1={LEFT} y1={y(0)} x2={WIDTH} y2={y(0)} class="axis" />
        <line x1={LEFT} y1={TOP} x2={LEFT} y2={y(0)} class="axis" />
        <text x={LEFT - 4} y={y(max) + 4} class="tick" text-anchor="end">{max}</text>
        <text x={LEFT - 4} y={y(0)} class="tick" text-anchor="end">0</text>
        {days.map((day, index) => {
          let base = 0;
          const x = LEFT + index * slot + (slot - barWidth) / 2;
          return (
            <g data-date={day.date}>
              {series.map((s) => {
                const value = day.values[s.key] ?? 0;
                if (value === 0) return null;
                const top = y(base + value);
                const height = y(base) - top;
                base += value;
                return (
                  <rect x={x} y={top} width={barWidth} height={height} class={s.className} data-series={s.key} data-value={value}>
                    <title>{`${day.date} ${s.label}: ${value}`}</title>
                  </rect>
                );
              })}
              {totals[index]! > 0 ? (
                <text x={x + barWidth / 2} y={y(totals[index]!) - 2} class="total" text-anchor="middle">{totals[index]}</text>
              ) : null}
              {index % Math.max(1, Math.ceil(days.length / 8)) === 0 ? (
                <text x={x + barWidth / 2} y={HEIGHT - 8} class="tick" text-anchor="middle">{day.date.slice(5)}</text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <ul class="legend">
        {series.map((s) => (
          <li>
            <svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" class={s.className} /></svg> {s.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}
