import { useEffect, useRef } from 'preact/hooks';
import uPlot, { type AlignedData, type Options } from 'uplot';

export interface ChartSeries {
  label: string;
  /** One value per x; null where there is none (a gap). */
  values: (number | null)[];
  color: string;
  /** Percent values are drawn with a % on the axis. */
  unit?: string;
}

export interface TimeChartProps {
  /** What the chart shows, for a screen reader (the chart itself is a picture). */
  label: string;
  /** Seconds since the epoch, ascending. */
  xs: number[];
  series: ChartSeries[];
  height?: number;
  /** Horizontal lines drawn across, e.g. a target. */
  lines?: { value: number; label: string; color: string }[];
  /** No axes, no legend: a sparkline. */
  spark?: boolean;
}

/**
 * A uPlot time chart (canvas: thousands of points stay fast) that follows
 * its container's width. uPlot sets sizes through the CSSOM, which the
 * page's `style-src 'self'` allows.
 */
export function TimeChart({ label, xs, series, height = 200, lines = [], spark = false }: TimeChartProps) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const data = [xs, ...series.map((s) => s.values)] as AlignedData;
    const options: Options = {
      width: Math.max(element.clientWidth, 120),
      height,
      legend: { show: !spark },
      cursor: spark ? { show: false } : {},
      scales: { x: { time: true } },
      axes: spark
        ? [{ show: false }, { show: false }]
        : [{}, { values: (_u, ticks) => ticks.map((t) => `${t}${series[0]?.unit ?? ''}`) }],
      series: [
        {},
        ...series.map((s) => ({ label: s.label, stroke: s.color, width: spark ? 1.5 : 2, spanGaps: false })),
      ],
      hooks: {
        draw: [
          (u: uPlot) => {
            const { ctx } = u;
            for (const line of lines) {
              const y = u.valToPos(line.value, 'y', true);
              ctx.save();
              ctx.strokeStyle = line.color;
              ctx.setLineDash([6, 4]);
              ctx.beginPath();
              ctx.moveTo(u.bbox.left, y);
              ctx.lineTo(u.bbox.left + u.bbox.width, y);
              ctx.stroke();
              ctx.fillStyle = line.color;
              ctx.fillText(line.label, u.bbox.left + 4, y - 4);
              ctx.restore();
            }
          },
        ],
      },
    };
    const chart = new uPlot(options, data, element);
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(element.clientWidth, 120), height }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [JSON.stringify([xs, series, height, lines, spark, label])]);
  return <div class={spark ? 'chart spark' : 'chart'} ref={host} role="img" aria-label={label} />;
}
