// Write or edit a quiz: settings, questions of every kind, a participant's-eye preview.
import { useEffect, useState } from 'react'
import { api, ApiError } from '../api'
import { useI18n } from '../i18n'
import { QuestionCard } from '../live/QuestionCard'
import type { QuestionKind } from '../protocol/QuestionKind'
import { Link, navigate } from '../router'
import { Alert } from '../ui/Alert'
import { ConfirmDialog, Dialog } from '../ui/Dialog'
import { Field } from '../ui/Field'
import { useLoad } from '../ui/useLoad'
import { QuestionEditor } from './QuestionEditor'
import type { QuestionView } from '../protocol/QuestionView'
import {
  hasChoices,
  KINDS,
  newQuestion,
  newQuiz,
  problem,
  quizInput,
  type QuestionDraft,
  type QuizDraft,
} from './quizDraft'

export function QuizEditor({ id }: { id: string | null }) {
  const { t } = useI18n()
  const capsules = useLoad(api.capsules, [])
  const [draft, setDraft] = useState<QuizDraft | null>(id ? null : newQuiz(t))
  const [message, setMessage] = useState<{ tone: 'error' | 'success'; text: string } | null>(null)
  const [previewing, setPreviewing] = useState<number | null>(null)
  const [deleting, setDeleting] = useState(false)
  const [addKind, setAddKind] = useState<QuestionKind>('single')

  // Only the address changes the draft (a language switch must not lose edits).
  useEffect(() => {
    if (!id) return setDraft(newQuiz(t))
    api.quiz(id).then(
      ({ title, capsule_id, settings, questions }) => setDraft({ title, capsule_id, settings, questions }),
      () => setMessage({ tone: 'error', text: t('quizzes.notFound') }),
    )
  }, [id])

  if (!draft) return message ? <Alert>{message.text}</Alert> : <p role="status">{t('common.loading')}</p>

  const change = (patch: Partial<QuizDraft>) => {
    setDraft({ ...draft, ...patch })
    setMessage(null)
  }
  const setQuestion = (i: number, question: QuestionDraft) =>
    change({ questions: draft.questions.map((q, j) => (j === i ? question : q)) })
  const move = (i: number, delta: -1 | 1) => {
    const questions = [...draft.questions]
    ;[questions[i], questions[i + delta]] = [questions[i + delta], questions[i]]
    change({ questions })
  }

  const save = async () => {
    const broken = problem(draft, t)
    if (broken) return setMessage({ tone: 'error', text: broken })
    try {
      const body = quizInput(draft)
      const saved = id ? await api.updateQuiz(id, body) : await api.createQuiz(body)
      setMessage({ tone: 'success', text: t('editor.saved') })
      if (!id) navigate(`/quizzes/${saved.id}`, { replace: true })
    } catch (e) {
      const text = !(e instanceof ApiError)
        ? t('error.generic')
        : e.code === 'unknown_asset'
          ? t('editor.imageGone')
          : e.message
      setMessage({ tone: 'error', text })
    }
  }

  const remove = async () => {
    if (id) await api.deleteQuiz(id)
    navigate('/quizzes')
  }

  const preview = previewing === null ? null : draft.questions[previewing]
  return (
    <>
      <p className="breadcrumb">
        <Link to="/quizzes">← {t('quizzes.title')}</Link>
      </p>
      <div className="page-head">
        <h1>{id ? t('editor.editTitle') : t('editor.newTitle')}</h1>
        <div className="head-actions">
          {id && (
            <button type="button" className="button danger-outline" onClick={() => setDeleting(true)}>
              {t('common.delete')}
            </button>
          )}
          <button type="button" className="button primary" onClick={save}>
            {t('common.save')}
          </button>
        </div>
      </div>
      {message && (
        <Alert tone={message.tone} onDismiss={() => setMessage(null)}>
          {message.text}
        </Alert>
      )}
      <section className="card quiz-settings" aria-label={t('editor.settings')}>
        <Field label={t('editor.title')}>
          <input value={draft.title} maxLength={200} onChange={(e) => change({ title: e.target.value })} />
        </Field>
        <div className="field-row">
          <Field label={t('editor.scoring')}>
            <select
              value={draft.settings.scoring}
              onChange={(e) => change({ settings: { scoring: e.target.value as QuizDraft['settings']['scoring'] } })}
            >
              <option value="accuracy">{t('editor.accuracy')}</option>
              <option value="speed">{t('editor.speed')}</option>
            </select>
          </Field>
          <Field label={t('editor.capsule')}>
            <select value={draft.capsule_id ?? ''} onChange={(e) => change({ capsule_id: e.target.value || null })}>
              <option value="">{t('editor.noCapsule')}</option>
              {capsules.data?.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.title}
                </option>
              ))}
            </select>
          </Field>
        </div>
      </section>
      <div className="question-list">
        {draft.questions.map((question, i) => (
          <QuestionEditor
            key={i}
            question={question}
            index={i}
            count={draft.questions.length}
            onChange={(q) => setQuestion(i, q)}
            onMove={(delta) => move(i, delta)}
            onRemove={() => change({ questions: draft.questions.filter((_, j) => j !== i) })}
            onPreview={() => setPreviewing(i)}
          />
        ))}
      </div>
      <div className="add-question">
        <select
          aria-label={t('editor.kind')}
          value={addKind}
          onChange={(e) => setAddKind(e.target.value as QuestionKind)}
        >
          {KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {t(`kind.${kind}`)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button"
          onClick={() => change({ questions: [...draft.questions, newQuestion(addKind, t)] })}
        >
          + {t('editor.addQuestion')}
        </button>
        <button type="button" className="button primary" onClick={save}>
          {t('common.save')}
        </button>
      </div>
      <Dialog open={preview !== null} title={t('editor.previewTitle')} onClose={() => setPreviewing(null)}>
        {preview && previewing !== null && (
          <div className="preview">
            <p className="eyebrow">{t('quiz.questionOf', { n: previewing + 1, count: draft.questions.length })}</p>
            <QuestionCard
              key={previewing}
              question={previewOf(preview, previewing)}
              answer={null}
              onAnswer={() => setPreviewing(null)}
            />
          </div>
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting}
        title={t('quizzes.deleteTitle')}
        message={t('quizzes.deleteMessage', { title: draft.title })}
        confirm={t('common.delete')}
        danger
        onConfirm={remove}
        onCancel={() => setDeleting(false)}
      />
    </>
  )
}

/** A draft question as participants receive it: ordering items mixed, no right answers. */
function previewOf(question: QuestionDraft, index: number): QuestionView {
  const items = (question.items ?? []).map((item, i) => ({ id: String(i), text: item.text || '…' }))
  return {
    id: `preview-${index}`,
    kind: question.kind,
    prompt: question.prompt || '…',
    image: question.image,
    choices: hasChoices(question.kind)
      ? question.choices.map((c, i) => ({ id: String(i), text: c.text || '…', image: c.image }))
      : [],
    time_limit_s: question.time_limit_s,
    points: question.points,
    // Never in the right order, as the server mixes them.
    items: question.kind === 'ordering' ? [...items.slice(1), ...items.slice(0, 1)] : undefined,
  }
}
