// One session's report: attendance, pages, quizzes, chat, reactions, word clouds, questions from
// the class, the board; charts, and the exports.
import { useState } from 'react'
import { api, type ReportFormat } from '../api'
import { useI18n } from '../i18n'
import { fullName } from '../live/room'
import type { Scoring } from '../protocol/Scoring'
import { Link, navigate } from '../router'
import { Alert } from '../ui/Alert'
import { ConfirmDialog } from '../ui/Dialog'
import { LazyBarChart } from '../ui/LazyBarChart'
import { useLoad } from '../ui/useLoad'
import { CloudsSection } from './CloudsSection'
import { QaSection } from './QaSection'
import { QuizSection } from './QuizSection'
import { ReactionsSection } from './ReactionsSection'

const EXPORTS: { format: ReportFormat; key: 'report.json' | 'report.csv' | 'report.xlsx' | 'report.html' }[] = [
  { format: 'html', key: 'report.html' },
  { format: 'xlsx', key: 'report.xlsx' },
  { format: 'csv', key: 'report.csv' },
  { format: 'json', key: 'report.json' },
]

export function ReportPage({ roomId }: { roomId: string }) {
  const { t, lang, dateTime, time, duration } = useI18n()
  const [scoring, setScoring] = useState<Scoring | ''>('')
  const [erasing, setErasing] = useState(false)
  const report = useLoad(() => api.report(roomId, scoring || undefined), [roomId, scoring])
  if (report.error) return <Alert>{t('sessions.notFound')}</Alert>
  if (!report.data) return <p role="status">{t('common.loading')}</p>
  const { session, attendance, pages, quizzes, chat, board, reactions, clouds, qa, notes } = report.data
  const shown = pages.totals.filter((p) => p.views > 0).length
  const messages = chat.reduce((sum, c) => sum + c.messages, 0)

  return (
    <>
      <p className="breadcrumb">
        <Link to="/sessions">← {t('sessions.title')}</Link>
      </p>
      <div className="page-head">
        <div>
          <p className="eyebrow">{dateTime(session.started_at)}</p>
          <h1>{session.capsule_title}</h1>
          <p className="muted">
            /r/{session.room_name} · {t(`report.status.${session.status}`)}
          </p>
        </div>
        <nav className="head-actions" aria-label={t('report.exports')}>
          {EXPORTS.map(({ format, key }) => (
            <a
              key={format}
              className={format === 'html' ? 'button primary' : 'button'}
              href={api.reportUrl(roomId, format, {
                lang,
                // This browser's offset on the day the session started (summer time included).
                utcOffsetMin: -new Date(session.started_at).getTimezoneOffset(),
              })}
              target={format === 'html' ? '_blank' : undefined}
              // The JSON file is saved, not shown in place of the app.
              download={format === 'json' ? `${session.room_name}-report.json` : undefined}
              rel="noreferrer"
            >
              {t(key)}
            </a>
          ))}
          {session.status !== 'live' && (
            <button type="button" className="button danger-outline" onClick={() => setErasing(true)}>
              {t('report.erase')}
            </button>
          )}
        </nav>
      </div>
      <dl className="stats">
        <div>
          <dt>{t('sessions.duration')}</dt>
          <dd>{duration(session.duration_s)}</dd>
        </div>
        <div>
          <dt>{t('sessions.participants')}</dt>
          <dd>{session.participant_count}</dd>
        </div>
        <div>
          <dt>{t('report.pagesShown')}</dt>
          <dd>
            {shown} / {pages.totals.length}
          </dd>
        </div>
        <div>
          <dt>{t('report.chatMessages')}</dt>
          <dd>{messages}</dd>
        </div>
      </dl>
      {notes.length > 0 && (
        <Alert tone="info">
          <ul className="notes">
            {notes.map((n) => (
              <li key={n.code + n.message}>{n.message}</li>
            ))}
          </ul>
        </Alert>
      )}

      <section className="report-section" aria-labelledby="attendance-title">
        <h2 id="attendance-title">{t('report.attendance')}</h2>
        {attendance.length === 0 ? (
          <p className="muted">{t('report.nobody')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('report.participant')}</th>
                  <th scope="col">{t('report.joined')}</th>
                  <th scope="col">{t('report.left')}</th>
                  <th scope="col" className="num">
                    {t('report.present')}
                  </th>
                  <th scope="col" className="num">
                    {t('report.reconnections')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {attendance.map((a) => (
                  <tr key={a.participant_id}>
                    <td>{fullName(a)}</td>
                    <td>{dateTime(a.first_joined_at)}</td>
                    <td>{a.present_at_end ? t('report.untilEnd') : dateTime(a.last_left_at)}</td>
                    <td className="num">{duration(a.present_s)}</td>
                    <td className="num">{a.reconnections}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="report-section" aria-labelledby="pages-title">
        <h2 id="pages-title">{t('report.pages')}</h2>
        <div className="card report-card">
          <LazyBarChart
            title={t('report.timePerPage')}
            unit=" s"
            bars={pages.totals.map((p) => ({ label: `${p.page_index + 1}. ${p.page_name}`, value: p.duration_s }))}
          />
        </div>
      </section>

      {quizzes.length > 0 && (
        <section className="report-section" aria-labelledby="quizzes-title">
          <div className="section-head">
            <h2 id="quizzes-title">{t('report.quizzes')}</h2>
            <label className="inline-field">
              <span>{t('report.scoreWith')}</span>
              <select value={scoring} onChange={(e) => setScoring(e.target.value as Scoring | '')}>
                <option value="">{t('report.asRun')}</option>
                <option value="accuracy">{t('report.accuracy')}</option>
                <option value="speed">{t('report.speed')}</option>
              </select>
            </label>
          </div>
          {quizzes.map((quiz) => (
            <QuizSection key={quiz.quiz_id} quiz={quiz} />
          ))}
        </section>
      )}

      <section className="report-section" aria-labelledby="chat-title">
        <h2 id="chat-title">{t('report.chat')}</h2>
        {chat.length === 0 ? (
          <p className="muted">{t('report.noChat')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('report.participant')}</th>
                  <th scope="col" className="num">
                    {t('report.messages')}
                  </th>
                  <th scope="col" className="num">
                    {t('report.characters')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {chat.map((c) => (
                  <tr key={c.participant_id}>
                    <td>
                      {fullName(c)}
                      {c.trainer && <span className="muted"> · {t('report.trainer')}</span>}
                    </td>
                    <td className="num">{c.messages}</td>
                    <td className="num">{c.characters}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <ReactionsSection reactions={reactions} />
      <CloudsSection clouds={clouds} />
      <QaSection questions={qa} />

      <section className="report-section" aria-labelledby="board-title">
        <h2 id="board-title">{t('report.board')}</h2>
        {board.people.length === 0 ? (
          <p className="muted">{t('report.noDrawing')}</p>
        ) : (
          <>
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t('report.person')}</th>
                    <th scope="col">{t('report.minutesDrawn')}</th>
                    <th scope="col" className="num">
                      {t('report.created')}
                    </th>
                    <th scope="col" className="num">
                      {t('report.changed')}
                    </th>
                    <th scope="col" className="num">
                      {t('report.deleted')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {board.people.map((d) => (
                    <tr key={d.participant_id ?? 'trainer'}>
                      <td>
                        {fullName(d).trim()}
                        {d.trainer && <span className="muted"> · {t('report.trainer')}</span>}
                      </td>
                      <td>{d.minutes.map((m) => time(m)).join(', ')}</td>
                      <td className="num">{d.created}</td>
                      <td className="num">{d.updated}</td>
                      <td className="num">{d.deleted}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="card report-card">
              <LazyBarChart
                title={t('report.drawingPerMinute')}
                bars={board.timeline.map((m) => ({ label: time(m.minute), value: m.created + m.updated + m.deleted }))}
              />
            </div>
          </>
        )}
      </section>
      <ConfirmDialog
        open={erasing}
        title={t('report.eraseTitle')}
        message={t('report.eraseMessage')}
        confirm={t('report.erase')}
        danger
        onConfirm={async () => {
          await api.eraseSession(roomId)
          navigate('/sessions')
        }}
        onCancel={() => setErasing(false)}
      />
    </>
  )
}
