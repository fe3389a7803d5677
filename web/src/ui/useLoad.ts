// Loads data for a page: the value, the error, and a way to reload or patch it.
import { useCallback, useEffect, useState } from 'react'

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<Error | null>(null)
  const [version, setVersion] = useState(0)
  useEffect(() => {
    let current = true
    setError(null)
    load().then(
      (value) => current && setData(value),
      (e: Error) => current && setError(e),
    )
    return () => {
      current = false
    }
  }, [...deps, version])
  const reload = useCallback(() => setVersion((v) => v + 1), [])
  return { data, error, setData, reload }
}
