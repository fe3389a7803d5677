// Chart.js loads only when a chart shows.
import { lazy, Suspense } from 'react'
import type { BarChartProps } from './BarChart'

const BarChart = lazy(() => import('./BarChart'))

export function LazyBarChart(props: BarChartProps) {
  return (
    <Suspense fallback={<div className="chart chart-placeholder" aria-hidden="true" />}>
      <BarChart {...props} />
    </Suspense>
  )
}
