// Quiz drafts in the editor: new questions, kind changes, and the rules of SPEC §4 checked
// before saving, so that mistakes are named in the trainer's language.
import type { Choice } from '../api-types/Choice'
import type { Question } from '../api-types/Question'
import type { Quiz } from '../api-types/Quiz'
import type { Translate } from '../i18n'
import type { QuestionKind } from '../protocol/QuestionKind'

/** `T` whose fields `K` may be left out; naming a field `T` does not have fails the type check. */
type Partly<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>

// A draft is a saved quiz minus what the server adds: ids of new questions and choices are
// chosen by the server, every other field is always set by the editor.
export type ChoiceDraft = Partly<Choice, 'id'>
export type QuestionDraft = Partly<Omit<Question, 'choices'>, 'id'> & { choices: ChoiceDraft[] }
export type QuizDraft = Pick<Quiz, 'title' | 'capsule_id' | 'settings'> & { questions: QuestionDraft[] }

export const KINDS: QuestionKind[] = ['single', 'multiple', 'true_false', 'poll', 'open']
export const MAX_CHOICES = 10

export function newQuestion(kind: QuestionKind, t: Translate): QuestionDraft {
  return { kind, prompt: '', choices: choicesFor(kind, [], t), time_limit_s: 30, points: 1000 }
}

export function newQuiz(t: Translate): QuizDraft {
  return { title: '', capsule_id: null, settings: { scoring: 'accuracy' }, questions: [newQuestion('single', t)] }
}

function choicesFor(kind: QuestionKind, choices: ChoiceDraft[], t: Translate): ChoiceDraft[] {
  const some =
    choices.length >= 2
      ? choices
      : [
          { text: '', correct: false },
          { text: '', correct: false },
        ]
  const firstCorrect = Math.max(
    0,
    some.findIndex((c) => c.correct),
  )
  switch (kind) {
    case 'open':
    case 'numeric':
    case 'short':
    case 'ordering':
      return []
    case 'true_false':
      return [
        { text: t('quiz.true'), correct: true },
        { text: t('quiz.false'), correct: false },
      ]
    case 'poll':
      return some.map((c) => ({ ...c, correct: false }))
    case 'single':
      return some.map((c, i) => ({ ...c, correct: i === firstCorrect }))
    case 'multiple':
      return some.map((c, i) => ({ ...c, correct: c.correct || i === firstCorrect }))
  }
}

export function withKind(question: QuestionDraft, kind: QuestionKind, t: Translate): QuestionDraft {
  return { ...question, kind, choices: choicesFor(kind, question.choices, t) }
}

/** The first broken rule, in words, or null when the quiz can be saved. */
export function problem(quiz: QuizDraft, t: Translate): string | null {
  if (!quiz.title.trim()) return t('editor.needTitle')
  if (quiz.questions.length === 0) return t('editor.needQuestion')
  for (const [i, q] of quiz.questions.entries()) {
    const at = (rule: string) => t('editor.problemAt', { n: i + 1, rule })
    if (!q.prompt.trim()) return at(t('editor.needPrompt'))
    if (q.kind !== 'open') {
      if (q.choices.length < 2 || q.choices.length > MAX_CHOICES) return at(t('editor.choiceCount'))
      if (q.choices.some((c) => !c.text.trim())) return at(t('editor.emptyChoice'))
      const correct = q.choices.filter((c) => c.correct).length
      if ((q.kind === 'single' || q.kind === 'true_false') && correct !== 1) return at(t('editor.oneCorrect'))
      if (q.kind === 'multiple' && correct === 0) return at(t('editor.someCorrect'))
    }
    if (!(q.time_limit_s >= 5 && q.time_limit_s <= 600)) return at(t('editor.timeLimitRange'))
    if (!(q.points >= 0 && q.points <= 10000)) return at(t('editor.pointsRange'))
  }
  return null
}
