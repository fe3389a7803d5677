// A session's report as `GET /api/sessions/{room_id}/report` returns it (src/domain/report/).
import type { Answer } from '../protocol/Answer'
import type { Navigation } from '../protocol/Navigation'
import type { QuestionKind } from '../protocol/QuestionKind'
import type { Scoring } from '../protocol/Scoring'

export interface Named {
  participant_id: string
  first_name: string
  last_name: string
}

export interface SessionReport {
  session: {
    room_id: string
    room_name: string
    capsule_title: string
    trainer_name: string
    started_at: string
    ended_at: string | null
    status: 'live' | 'ended' | 'interrupted'
    duration_s: number
    participant_count: number
  }
  attendance: (Named & {
    first_joined_at: string
    last_left_at: string
    reconnections: number
    present_s: number
    present_at_end: boolean
  })[]
  pages: {
    timeline: { page_id: string; page_name: string; page_index: number; navigation: Navigation; duration_s: number }[]
    totals: { page_id: string; page_name: string; page_index: number; views: number; duration_s: number }[]
  }
  quizzes: QuizReport[]
  chat: (Named & { trainer: boolean; messages: number; characters: number })[]
  notes: { code: string; message: string }[]
}

export interface QuizReport {
  quiz_id: string
  quiz_title: string
  scoring: Scoring
  recorded_scoring: Scoring
  rescored: boolean
  questions: QuestionReport[]
  ranking: (Named & { rank: number; score: number; correct: number; answered: number })[]
}

export interface QuestionReport {
  question_id: string
  index: number
  kind: QuestionKind
  prompt: string
  present: number
  answered: number
  correct: number
  percent_correct: number | null
  median_response_s: number | null
  distribution: { choice_id: string; text: string; correct: boolean; count: number; percent: number }[]
  answers: (Named & {
    answer: Answer
    answer_text: string
    correct: boolean | null
    response_s: number
    points: number
  })[]
  not_answered: Named[]
}
