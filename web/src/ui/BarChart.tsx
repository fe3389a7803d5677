// Bar charts (Chart.js, only the bar parts registered). The canvas carries a text summary for
// screen readers. Loaded lazily: pages import it through `LazyBarChart`.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js'
import { useEffect, useRef } from 'react'

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip)

export interface Bar {
  label: string
  value: number
  /** `good` for correct answers, `muted` for the rest, `brand` by default. */
  tone?: 'brand' | 'good' | 'muted'
}

export interface BarChartProps {
  title: string
  bars: Bar[]
  /** Appended to values in the summary and the tooltips (`%`, ` s`). */
  unit?: string
  /** The end of the value axis (100 for percentages); from the data otherwise. */
  max?: number
}

const TONES = { brand: '#4b3fd6', good: '#1b8a5a', muted: '#b9b5d0' }
const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches

function data(bars: Bar[]) {
  return {
    labels: bars.map((b) => truncate(b.label)),
    datasets: [
      {
        data: bars.map((b) => b.value),
        backgroundColor: bars.map((b) => TONES[b.tone ?? 'brand']),
        borderRadius: 6,
        maxBarThickness: 34,
      },
    ],
  }
}

export default function BarChart({ title, bars, unit = '', max }: BarChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null)
  const chart = useRef<Chart<'bar'> | null>(null)
  const drawn = useRef(bars)

  useEffect(() => {
    chart.current = new Chart(canvas.current!, {
      type: 'bar',
      data: data(drawn.current),
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        // The first drawing is still; later changes (answers coming in) move.
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (item) => `${item.formattedValue}${unit}` } },
        },
        scales: {
          x: { beginAtZero: true, max, ticks: { precision: 0, color: '#4a4766' }, grid: { color: '#ecebf3' } },
          y: { ticks: { color: '#1c1a33', font: { size: 13 } }, grid: { display: false } },
        },
      },
    })
    return () => chart.current?.destroy()
    // Created once; the effect below follows the data.
  }, [unit, max])

  useEffect(() => {
    const current = chart.current
    if (!current || drawn.current === bars) return
    drawn.current = bars
    current.data = data(bars)
    current.options.animation = still ? false : { duration: 250 }
    current.update()
  }, [bars])

  const summary = bars.map((b) => `${b.label}: ${b.value}${unit}`).join(', ')
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div className="chart-canvas" style={{ height: 28 + 40 * Math.max(1, bars.length) }}>
        <canvas ref={canvas} role="img" aria-label={`${title}. ${summary}`} />
      </div>
    </figure>
  )
}

function truncate(label: string): string {
  return label.length > 28 ? `${label.slice(0, 27)}…` : label
}
