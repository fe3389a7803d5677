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
}

const TONES = { brand: '#4b3fd6', good: '#1b8a5a', muted: '#b9b5d0' }

export default function BarChart({ title, bars, unit = '' }: BarChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null)
  const chart = useRef<Chart<'bar'> | null>(null)

  useEffect(() => {
    chart.current = new Chart(canvas.current!, {
      type: 'bar',
      data: { labels: [], datasets: [{ data: [], borderRadius: 6, maxBarThickness: 34 }] },
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        animation: { duration: 250 },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (item) => `${item.formattedValue}${unit}` } },
        },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0, color: '#4a4766' }, grid: { color: '#ecebf3' } },
          y: { ticks: { color: '#1c1a33', font: { size: 13 } }, grid: { display: false } },
        },
      },
    })
    return () => chart.current?.destroy()
  }, [unit])

  useEffect(() => {
    const current = chart.current
    if (!current) return
    current.data.labels = bars.map((b) => truncate(b.label))
    current.data.datasets[0].data = bars.map((b) => b.value)
    current.data.datasets[0].backgroundColor = bars.map((b) => TONES[b.tone ?? 'brand'])
    current.update()
  }, [bars, unit])

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
