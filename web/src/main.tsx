// The entry: participants (`/r/{name}`) and trainers get separate bundles, so a phone opening
// a join link downloads only the participant page.
import { lazy, StrictMode, Suspense } from 'react'
import { createRoot } from 'react-dom/client'
import { I18nProvider } from './i18n'
import { matchPath, usePath } from './router'
import './styles.css'

const ParticipantApp = lazy(() => import('./participant/ParticipantApp'))
const TrainerApp = lazy(() => import('./trainer/TrainerApp'))

function App() {
  const joining = matchPath('/r/:name', usePath())
  return (
    <Suspense fallback={<div className="page-loading" />}>
      {joining ? <ParticipantApp name={joining.name} /> : <TrainerApp />}
    </Suspense>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <App />
    </I18nProvider>
  </StrictMode>,
)
