// Quiz drafts in the editor: new questions, kind changes, and the rules of SPEC §4 and §8
// checked before saving, so that mistakes are named in the trainer's language.
import type { Choice } from '../api-types/Choice'
import type { ItemInput } from '../api-types/ItemInput'
import type { Question } from '../api-types/Question'
import type { QuestionInput } from '../api-types/QuestionInput'
import type { Quiz } from '../api-types/Quiz'
import type { Translate } from '../i18n'
import { parseNumber } from '../live/numbers'
import type { QuestionKind } from '../protocol/QuestionKind'

/** `T` whose fields `K` may be left out; naming a field `T` does not have fails the type check. */
type Partly<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>

// A draft is a saved quiz minus what the server adds: ids of new questions, choices and items
// are chosen by the server. A draft keeps every kind's fields while the trainer switches kinds
// back and forth; `toInput` sends only those of its kind (the server refuses the others).
// A number field being typed and not (yet) a number is NaN.
export type ChoiceDraft = Partly<Choice, 'id'>
export type ItemDraft = ItemInput
export type QuestionDraft = Partly<Omit<Question, 'choices' | 'items'>, 'id'> & {
  choices: ChoiceDraft[]
  items?: ItemDraft[]
}
export type QuizDraft = Pick<Quiz, 'title' | 'capsule_id' | 'settings'> & { questions: QuestionDraft[] }

export const KINDS: QuestionKind[] = [
  'single',
  'multiple',
  'true_false',
  'poll',
  'open',
  'numeric',
  'short',
  'ordering',
]
export const MAX_CHOICES = 10
export const MIN_ITEMS = 2
export const MAX_ITEMS = 10
export const MAX_ACCEPTED = 20

/** Kinds answered by picking among choices (the others have none). */
export function hasChoices(kind: QuestionKind): boolean {
  return kind === 'single' || kind === 'multiple' || kind === 'true_false' || kind === 'poll'
}

/** A numeric question is right within a range (`min`–`max`) rather than near an `answer`. */
export function isRange(question: QuestionDraft): boolean {
  return question.min !== undefined || question.max !== undefined
}

export function newQuestion(kind: QuestionKind, t: Translate): QuestionDraft {
  return withKind({ kind: 'open', prompt: '', choices: [], time_limit_s: 30, points: 1000 }, kind, t)
}

export function newQuiz(t: Translate): QuizDraft {
  return { title: '', capsule_id: null, settings: { scoring: 'accuracy' }, questions: [newQuestion('single', t)] }
}

const isNumber = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n)

const blank = (): ChoiceDraft => ({ text: '', correct: false })

/** The texts the question holds, whatever its kind: what another kind can start from. */
function textsOf(question: QuestionDraft): string[] {
  const texts = hasChoices(question.kind)
    ? question.choices.map((c) => c.text)
    : question.kind === 'ordering'
      ? (question.items ?? []).map((i) => i.text)
      : question.kind === 'short'
        ? (question.accepted ?? [])
        : []
  return texts.filter((text) => text.trim())
}

function choicesFor(kind: QuestionKind, question: QuestionDraft, t: Translate): ChoiceDraft[] {
  // From items or accepted answers just written; else the choices kept from before.
  const texts = hasChoices(question.kind) ? [] : textsOf(question)
  const choices =
    texts.length > 0
      ? texts.slice(0, MAX_CHOICES).map((text) => ({ text, correct: question.kind === 'short' }))
      : question.choices
  const some = choices.length >= 2 ? choices : [...choices, blank(), blank()].slice(0, 2)
  const firstCorrect = Math.max(
    0,
    some.findIndex((c) => c.correct),
  )
  switch (kind) {
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
    default:
      // Kept while the trainer tries other kinds; not sent.
      return question.choices
  }
}

/** The question as another kind, keeping what carries over: texts, numbers, choices. */
export function withKind(question: QuestionDraft, kind: QuestionKind, t: Translate): QuestionDraft {
  if (kind === question.kind) return question
  const next: QuestionDraft = { ...question, kind, choices: choicesFor(kind, question, t) }
  if (kind === 'numeric' && next.answer === undefined && !isRange(next)) {
    // A short answer that is a number is a good start.
    const number = (question.accepted ?? []).map(parseNumber).find((n) => n !== null)
    next.answer = number ?? NaN
    next.tolerance = 0
  }
  if (kind === 'short') {
    const right = hasChoices(question.kind)
      ? question.choices.filter((c) => c.correct && c.text.trim()).map((c) => c.text)
      : []
    const number = isNumber(question.answer) ? [String(question.answer)] : []
    const kept = (question.accepted ?? []).filter((a) => a.trim())
    const accepted = right.length > 0 ? right : kept.length > 0 ? kept : number
    next.accepted = accepted.length > 0 ? accepted.slice(0, MAX_ACCEPTED) : ['']
  }
  if (kind === 'ordering') {
    const texts = textsOf(question).slice(0, MAX_ITEMS)
    if (texts.length > 0) next.items = texts.map((text) => ({ text }))
    const items = next.items ?? []
    if (items.length < MIN_ITEMS) next.items = [...items, { text: '' }, { text: '' }].slice(0, MIN_ITEMS)
    next.partial_credit ??= false
  }
  return next
}

/** A numeric question switched between "a number ± tolerance" and "a range", the same span. */
export function withRange(question: QuestionDraft, range: boolean): QuestionDraft {
  const { answer, tolerance, min, max, ...rest } = question
  // 3.14 − 0.01 is 3.1300000000000003 in floating point: the trainer wrote 3.13.
  const tidy = (n: number) => Number(n.toPrecision(12))
  if (range) {
    const spread = tolerance ?? 0
    const known = isNumber(answer) && isNumber(spread)
    return { ...rest, min: known ? tidy(answer - spread) : NaN, max: known ? tidy(answer + spread) : NaN }
  }
  const known = isNumber(min) && isNumber(max)
  return { ...rest, answer: known ? tidy((min + max) / 2) : NaN, tolerance: known ? tidy(Math.abs(max - min) / 2) : 0 }
}

/** What the server takes: the question's own kind's fields only. */
export function toInput(question: QuestionDraft): QuestionInput {
  const { id, kind, prompt, time_limit_s, points, image } = question
  const input: QuestionInput = { id, kind, prompt, time_limit_s, points, image: image ?? null }
  if (hasChoices(kind)) input.choices = withFreeIds(question.choices, 'c')
  if (kind === 'numeric') {
    if (isRange(question)) Object.assign(input, { min: question.min, max: question.max })
    else Object.assign(input, { answer: question.answer, tolerance: question.tolerance ?? 0 })
  }
  if (kind === 'short') input.accepted = (question.accepted ?? []).map((a) => a.trim())
  if (kind === 'ordering') {
    input.items = withFreeIds(question.items ?? [], 'i')
    input.partial_credit = question.partial_credit ?? false
  }
  return input
}

/**
 * Choices or items with an id for each new one, unused by the others. Left out, the server would name
 * the n-th entry `i{n}`, which an entry kept from before may already hold (once one above it
 * was removed), and refuse the quiz.
 */
function withFreeIds<T extends { id?: string | null }>(entries: T[], prefix: string): T[] {
  const taken = new Set(entries.map((e) => e.id).filter(Boolean))
  let next = 1
  return entries.map((entry) => {
    if (entry.id) return entry
    while (taken.has(`${prefix}${next}`)) next += 1
    taken.add(`${prefix}${next}`)
    return { ...entry, id: `${prefix}${next}` }
  })
}

export function quizInput(quiz: QuizDraft) {
  return { ...quiz, questions: quiz.questions.map(toInput) }
}

/** The first broken rule of one question's own fields, in words, or null. */
function kindProblem(q: QuestionDraft, t: Translate): string | null {
  if (hasChoices(q.kind)) {
    if (q.choices.length < 2 || q.choices.length > MAX_CHOICES) return t('editor.choiceCount')
    if (q.choices.some((c) => !c.text.trim())) return t('editor.emptyChoice')
    const correct = q.choices.filter((c) => c.correct).length
    if ((q.kind === 'single' || q.kind === 'true_false') && correct !== 1) return t('editor.oneCorrect')
    if (q.kind === 'multiple' && correct === 0) return t('editor.someCorrect')
  }
  if (q.kind === 'numeric') {
    if (isRange(q)) {
      if (!isNumber(q.min) || !isNumber(q.max)) return t('editor.needRange')
      if (q.min > q.max) return t('editor.minAboveMax')
    } else {
      if (!isNumber(q.answer)) return t('editor.needNumber')
      if (!isNumber(q.tolerance ?? 0) || (q.tolerance ?? 0) < 0) return t('editor.toleranceRule')
    }
  }
  if (q.kind === 'short') {
    const accepted = q.accepted ?? []
    if (accepted.length < 1 || accepted.length > MAX_ACCEPTED) return t('editor.acceptedCount')
    if (accepted.some((a) => !a.trim())) return t('editor.emptyAccepted')
  }
  if (q.kind === 'ordering') {
    const items = q.items ?? []
    if (items.length < MIN_ITEMS || items.length > MAX_ITEMS) return t('editor.itemCount')
    if (items.some((i) => !i.text.trim())) return t('editor.emptyItem')
  }
  return null
}

/** The first broken rule, in words, or null when the quiz can be saved. */
export function problem(quiz: QuizDraft, t: Translate): string | null {
  if (!quiz.title.trim()) return t('editor.needTitle')
  if (quiz.questions.length === 0) return t('editor.needQuestion')
  for (const [i, q] of quiz.questions.entries()) {
    const at = (rule: string) => t('editor.problemAt', { n: i + 1, rule })
    if (!q.prompt.trim()) return at(t('editor.needPrompt'))
    const broken = kindProblem(q, t)
    if (broken) return at(broken)
    if (!(q.time_limit_s >= 5 && q.time_limit_s <= 600)) return at(t('editor.timeLimitRange'))
    if (!(q.points >= 0 && q.points <= 10000)) return at(t('editor.pointsRange'))
  }
  return null
}
