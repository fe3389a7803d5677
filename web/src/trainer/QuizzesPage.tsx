// The trainer's quizzes: write one, import one from GIFT, open one to edit.
import { useState } from 'react'
import { api } from '../api'
import { useI18n } from '../i18n'
import { Link, navigate } from '../router'
import { Alert } from '../ui/Alert'
import { useLoad } from '../ui/useLoad'
import { GiftImport } from './GiftImport'

export function QuizzesPage() {
  const { t, dateTime } = useI18n()
  const quizzes = useLoad(api.quizzes, [])
  const [importing, setImporting] = useState(false)
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{t('quizzes.title')}</h1>
          <p className="muted">{t('quizzes.intro')}</p>
        </div>
        <div className="head-actions">
          <button type="button" className="button" onClick={() => setImporting(true)}>
            {t('gift.button')}
          </button>
          <button type="button" className="button primary" onClick={() => navigate('/quizzes/new')}>
            + {t('quizzes.new')}
          </button>
        </div>
      </div>
      {quizzes.error && <Alert>{t('error.generic')}</Alert>}
      {quizzes.data?.length === 0 && <p className="empty">{t('quizzes.empty')}</p>}
      <ul className="list">
        {quizzes.data?.map((quiz) => (
          <li key={quiz.id} className="card list-item">
            <div>
              <h2 className="card-title">
                <Link to={`/quizzes/${quiz.id}`} title={quiz.title}>
                  {quiz.title}
                </Link>
              </h2>
              <p className="muted">
                {t('quizzes.questions', { count: quiz.questions.length })} ·{' '}
                {quiz.settings.scoring === 'speed' ? t('editor.speed') : t('editor.accuracy')} ·{' '}
                {t('capsules.updated', { date: dateTime(quiz.updated_at) })}
              </p>
            </div>
            <div className="kinds" aria-hidden="true">
              {quiz.questions.map((q, i) => (
                <span key={i} className={`kind-dot kind-${q.kind}`} title={t(`kind.${q.kind}`)} />
              ))}
            </div>
          </li>
        ))}
      </ul>
      <GiftImport open={importing} onClose={() => setImporting(false)} />
    </>
  )
}
