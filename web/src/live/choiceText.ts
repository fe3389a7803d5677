// A choice as the reader sees it. A true/false question's choices were written in the editor's
// language ("Vrai", "False"…); each reader gets them in their own.
import type { Translate } from '../i18n'
import type { QuestionView } from '../protocol/QuestionView'

const TRUE = ['true', 'vrai']
const FALSE = ['false', 'faux']

export function choiceText(question: QuestionView, choice: { text: string }, t: Translate): string {
  if (question.kind !== 'true_false') return choice.text
  const word = choice.text.trim().toLowerCase()
  if (TRUE.includes(word)) return t('quiz.true')
  if (FALSE.includes(word)) return t('quiz.false')
  return choice.text
}
