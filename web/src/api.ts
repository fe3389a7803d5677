// The REST API (SPEC §5), typed. The log-in travels as the HttpOnly cookie the server sets, so
// the token never sits in JavaScript.
import type { QuestionKind } from './protocol/QuestionKind'
import type { RoomParams } from './protocol/RoomParams'
import type { Scoring } from './protocol/Scoring'
import type { Language } from './i18n'
import type { SessionReport } from './reports/report'

export interface User {
  id: string
  email: string
  name: string
  created_at: string
}

export interface PageInfo {
  id: string
  name: string
  shape_count: number
}

/** A tldraw store snapshot `{store, schema}`. */
export type StoreSnapshot = { store: Record<string, unknown>; schema: Record<string, unknown> }

export interface Capsule {
  id: string
  title: string
  created_at: string
  updated_at: string
  pages: PageInfo[]
  snapshot?: StoreSnapshot
}

export interface Choice {
  id?: string
  text: string
  correct: boolean
}

export interface Question {
  id?: string
  kind: QuestionKind
  prompt: string
  choices: Choice[]
  time_limit_s: number
  points: number
}

export interface QuizInput {
  title: string
  capsule_id: string | null
  settings: { scoring: Scoring }
  questions: Question[]
}

export interface Quiz extends QuizInput {
  id: string
  created_at: string
  updated_at: string
  /** After a GIFT import: what was skipped, with line numbers. */
  warnings?: { line: number; message: string }[]
}

export interface Room {
  id: string
  name: string
  link: string
  capsule_id: string
  capsule_title: string
  quiz_id: string | null
  params: RoomParams
  created_at: string
}

export interface JoinInfo {
  name: string
  title: string
  trainer_name: string
  locked: boolean
}

export interface Session {
  room_id: string
  room_name: string
  capsule_id: string
  capsule_title: string
  trainer_name: string
  started_at: string
  ended_at: string | null
  live: boolean
  duration_s: number | null
  participant_count: number | null
}

export type ReportFormat = 'json' | 'csv' | 'xlsx' | 'html'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** One page of a list, and the path of the next one (the `Link: <…>; rel="next"` header). */
export interface Page<T> {
  items: T[]
  next: string | null
}

async function request<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  return (await exchange<T>(method, path, body, token)).data
}

async function page<T>(path: string): Promise<Page<T>> {
  const { data, response } = await exchange<T[]>('GET', path)
  const next = response.headers.get('link')?.match(/<([^>]+)>\s*;\s*rel="?next"?/)
  return { items: data, next: next?.[1] ?? null }
}

async function exchange<T>(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ data: T; response: Response }> {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  let payload: string | undefined
  if (typeof body === 'string') {
    headers['content-type'] = 'text/plain; charset=utf-8'
    payload = body
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  let response: Response
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' })
  } catch {
    throw new ApiError(0, 'network', 'network')
  }
  if (response.status === 204) return { data: undefined as T, response }
  const data = await response.json().catch(() => null)
  if (!response.ok) {
    const error = data?.error ?? {}
    throw new ApiError(response.status, error.code ?? 'http', error.message ?? response.statusText)
  }
  return { data: data as T, response }
}

/** Whether a request finds its resource: false on a 404, an error on anything else. */
export function found(request: Promise<unknown>): Promise<boolean> {
  return request.then(
    () => true,
    (error) => {
      if (error instanceof ApiError && error.status === 404) return false
      throw error
    },
  )
}

const id = encodeURIComponent

export const api = {
  signup: (body: { email: string; password: string; name: string; language: Language }) =>
    request<{ user: User }>('POST', '/api/auth/signup', body),
  login: (body: { email: string; password: string }) => request<{ user: User }>('POST', '/api/auth/login', body),
  logout: () => request<void>('POST', '/api/auth/logout'),
  me: () => request<User>('GET', '/api/me'),

  capsules: () => request<Capsule[]>('GET', '/api/capsules'),
  capsule: (capsuleId: string) => request<Capsule>('GET', `/api/capsules/${id(capsuleId)}`),
  createCapsule: (body: { title: string; snapshot: unknown }) => request<Capsule>('POST', '/api/capsules', body),
  renameCapsule: (capsuleId: string, title: string) =>
    request<Capsule>('PATCH', `/api/capsules/${id(capsuleId)}`, { title }),
  deleteCapsule: (capsuleId: string) => request<void>('DELETE', `/api/capsules/${id(capsuleId)}`),

  quizzes: () => request<Quiz[]>('GET', '/api/quizzes'),
  quiz: (quizId: string) => request<Quiz>('GET', `/api/quizzes/${id(quizId)}`),
  createQuiz: (body: QuizInput) => request<Quiz>('POST', '/api/quizzes', body),
  updateQuiz: (quizId: string, body: QuizInput) => request<Quiz>('PATCH', `/api/quizzes/${id(quizId)}`, body),
  deleteQuiz: (quizId: string) => request<void>('DELETE', `/api/quizzes/${id(quizId)}`),
  importGift: (text: string, title: string) =>
    request<Quiz>('POST', `/api/quizzes/import?format=gift&title=${id(title)}`, text),

  launch: (body: { capsule_id: string; quiz_id: string | null }) => request<Room>('POST', '/api/rooms', body),
  room: (roomId: string) => request<Room>('GET', `/api/rooms/${id(roomId)}`),
  joinInfo: (name: string) => request<JoinInfo>('GET', `/api/join/${id(name)}`),
  /** The capsule a live room shows: a participant passes their resume token, a trainer nothing. */
  roomSnapshot: (name: string, resumeToken?: string) =>
    request<StoreSnapshot>('GET', `/api/live/${id(name)}/snapshot`, undefined, resumeToken),

  /** The newest sessions, or the page `next` names. */
  sessions: (next?: string) => page<Session>(next ?? '/api/sessions'),
  /** The report, with the quiz points recomputed under `scoring` if given. */
  report: (roomId: string, scoring?: Scoring) =>
    request<SessionReport>(
      'GET',
      `/api/sessions/${id(roomId)}/report?format=json${scoring ? `&scoring=${scoring}` : ''}`,
    ),
  /** Erases an ended session's events: its report is gone for good. */
  eraseSession: (roomId: string) => request<void>('DELETE', `/api/sessions/${id(roomId)}`),
  /** A report's address; the printable page in the reader's language and at their clock's offset then. */
  reportUrl: (roomId: string, format: ReportFormat, reader?: { lang: Language; utcOffsetMin: number }) =>
    `/api/sessions/${id(roomId)}/report?format=${format}` +
    (format === 'html' && reader ? `&lang=${reader.lang}&utc_offset=${reader.utcOffsetMin}` : ''),
}
