// Everything but the participant page: log-in, then the trainer's sections and the presenter.
import { useEffect, useState } from 'react'
import { api } from '../api'
import type { User } from '../api-types/User'
import { AudiencePage } from '../audience/AudiencePage'
import { useI18n } from '../i18n'
import { PresenterPage } from '../presenter/PresenterPage'
import { ReportPage } from '../reports/ReportPage'
import { SessionsPage } from '../reports/SessionsPage'
import { matchPath, navigate, usePath } from '../router'
import { AppShell } from './AppShell'
import { AuthPage, preferredAuthMode } from './AuthPage'
import { CapsuleEditorPage } from './CapsuleEditorPage'
import { CapsulePage } from './CapsulePage'
import { CapsulesPage } from './CapsulesPage'
import { QuizEditor } from './QuizEditor'
import { QuizzesPage } from './QuizzesPage'

export default function TrainerApp() {
  const { t } = useI18n()
  const path = usePath()
  /** `undefined` while asking the server who is logged in. */
  const [user, setUser] = useState<User | null | undefined>(undefined)
  useEffect(() => {
    api.me().then(setUser, () => setUser(null))
  }, [])

  if (user === undefined)
    return (
      <div className="page-loading" role="status">
        {t('common.loading')}
      </div>
    )
  if (user === null) {
    return (
      <AuthPage
        mode={preferredAuthMode(path)}
        onAuthenticated={(u) => {
          setUser(u)
          if (['/', '/login', '/signup'].includes(path)) navigate('/capsules', { replace: true })
        }}
      />
    )
  }
  const presenting = matchPath('/live/:roomId', path)
  if (presenting) return <PresenterPage roomId={presenting.roomId} />
  const projecting = matchPath('/present/:name', path)
  if (projecting) return <AudiencePage name={projecting.name} />
  const editing = matchPath('/capsules/:id/edit', path)
  if (editing) return <CapsuleEditorPage key={editing.id} id={editing.id} user={user} />
  const logout = async (everywhere: boolean) => {
    await (everywhere ? api.logoutAll() : api.logout()).catch(() => undefined)
    setUser(null)
    navigate('/login')
  }
  return (
    <AppShell user={user} onLogout={logout}>
      <Page path={path} />
    </AppShell>
  )
}

function Page({ path }: { path: string }) {
  const { t } = useI18n()
  if (['/', '/capsules', '/login', '/signup'].includes(path)) return <CapsulesPage />
  if (path === '/quizzes') return <QuizzesPage />
  // One editor for a new quiz and the same quiz once saved (its address changes, not the page).
  if (path === '/quizzes/new') return <QuizEditor key="quiz" id={null} />
  if (path === '/sessions') return <SessionsPage />
  const capsule = matchPath('/capsules/:id', path)
  if (capsule) return <CapsulePage key={capsule.id} id={capsule.id} />
  const quiz = matchPath('/quizzes/:id', path)
  if (quiz) return <QuizEditor key="quiz" id={quiz.id} />
  const report = matchPath('/sessions/:roomId', path)
  if (report) return <ReportPage roomId={report.roomId} />
  return <h1>{t('common.notFound')}</h1>
}
