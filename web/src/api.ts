// The REST API (SPEC §5), typed with the types ts-rs generates from the server's Rust types
// (web/src/api-types/): a field renamed on one side fails the type check. The log-in travels as
// the HttpOnly cookie the server sets, so the token never sits in JavaScript.
import type { Asset } from './api-types/Asset'
import type { AuthSession } from './api-types/AuthSession'
import type { BoardCapsule } from './api-types/BoardCapsule'
import type { Capsule } from './api-types/Capsule'
import type { CapsuleCopy } from './api-types/CapsuleCopy'
import type { CapsulePatch } from './api-types/CapsulePatch'
import type { DrawingAllowed } from './api-types/DrawingAllowed'
import type { DrawingOff } from './api-types/DrawingOff'
import type { ErrorBody } from './api-types/ErrorBody'
import type { JoinInfo } from './api-types/JoinInfo'
import type { Launch } from './api-types/Launch'
import type { Login } from './api-types/Login'
import type { NewCapsule } from './api-types/NewCapsule'
import type { NewQuiz } from './api-types/NewQuiz'
import type { PasswordChange } from './api-types/PasswordChange'
import type { Quiz } from './api-types/Quiz'
import type { QuizPatch } from './api-types/QuizPatch'
import type { Room } from './api-types/Room'
import type { Session } from './api-types/Session'
import type { SessionReport } from './api-types/SessionReport'
import type { Signup } from './api-types/Signup'
import type { User } from './api-types/User'
import type { Language } from './i18n'
import type { ErrorCode } from './protocol/ErrorCode'
import type { Scoring } from './protocol/Scoring'

/** A tldraw store snapshot `{store, schema}`, as the server keeps every capsule. */
export type StoreSnapshot = NonNullable<Capsule['snapshot']>

export type ReportFormat = 'json' | 'csv' | 'xlsx' | 'html'

/** A failed request: the server's `ErrorCode`, or `network` (no answer) or `http` (an answer
 * without our error body, from a proxy say). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network' | 'http',
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
  let payload: string | Blob | undefined
  if (body instanceof Blob) {
    headers['content-type'] = body.type || 'application/octet-stream'
    payload = body
  } else if (typeof body === 'string') {
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
    // The server's errors carry an ErrorBody; a proxy's may not.
    const error = (data as Partial<ErrorBody> | null)?.error
    throw new ApiError(response.status, error?.code ?? 'http', error?.message ?? response.statusText)
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
  signup: (body: Signup) => request<AuthSession>('POST', '/api/auth/signup', body),
  login: (body: Login) => request<AuthSession>('POST', '/api/auth/login', body),
  logout: () => request<void>('POST', '/api/auth/logout'),
  /** Ends every log-in of the account, this one included. */
  logoutAll: () => request<void>('POST', '/api/auth/logout-all'),
  /** Ends every other log-in of the account; this one stays. */
  changePassword: (body: PasswordChange) => request<void>('POST', '/api/auth/password', body),
  me: () => request<User>('GET', '/api/me'),

  capsules: () => request<Capsule[]>('GET', '/api/capsules'),
  capsule: (capsuleId: string) => request<Capsule>('GET', `/api/capsules/${id(capsuleId)}`),
  /** A new capsule; a refused import says why in `lang`. */
  createCapsule: (body: NewCapsule, lang: Language = 'en') =>
    request<Capsule>('POST', `/api/capsules?lang=${lang}`, body),
  renameCapsule: (capsuleId: string, title: string) =>
    request<Capsule>('PATCH', `/api/capsules/${id(capsuleId)}`, { title } satisfies CapsulePatch),
  deleteCapsule: (capsuleId: string) => request<void>('DELETE', `/api/capsules/${id(capsuleId)}`),
  /** A copy of a capsule, as a new one of the same trainer. */
  duplicateCapsule: (capsuleId: string, title: string) =>
    request<Capsule>('POST', `/api/capsules/${id(capsuleId)}/duplicate`, { title } satisfies CapsuleCopy),
  /** Where the capsule downloads as a `.tldr` file (images inline), for tldraw.com. */
  capsuleExportUrl: (capsuleId: string) => `/api/capsules/${id(capsuleId)}/export`,
  /** Stores an image (PNG, JPEG, GIF, WebP or SVG) in the asset store; its URL is the `src`. */
  uploadAsset: (file: Blob) => request<Asset>('POST', '/api/assets', file),
  /** The same, telling `onProgress` the share sent so far (0 to 1): `fetch` cannot. */
  uploadAssetWithProgress: (file: Blob, onProgress: (sent: number) => void) =>
    new Promise<Asset>((resolve, reject) => {
      const xhr = new XMLHttpRequest()
      xhr.open('POST', '/api/assets')
      xhr.setRequestHeader('content-type', file.type || 'application/octet-stream')
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress(e.loaded / e.total)
      }
      xhr.onerror = () => reject(new ApiError(0, 'network', 'network'))
      xhr.onload = () => {
        let data: unknown = null
        try {
          data = JSON.parse(xhr.responseText)
        } catch {
          // Not our error body: a proxy's page, say.
        }
        if (xhr.status >= 200 && xhr.status < 300) return resolve(data as Asset)
        const error = (data as Partial<ErrorBody> | null)?.error
        reject(new ApiError(xhr.status, error?.code ?? 'http', error?.message ?? xhr.statusText))
      }
      xhr.send(file)
    }),

  quizzes: () => request<Quiz[]>('GET', '/api/quizzes'),
  quiz: (quizId: string) => request<Quiz>('GET', `/api/quizzes/${id(quizId)}`),
  createQuiz: (body: NewQuiz) => request<Quiz>('POST', '/api/quizzes', body),
  updateQuiz: (quizId: string, body: QuizPatch) => request<Quiz>('PATCH', `/api/quizzes/${id(quizId)}`, body),
  deleteQuiz: (quizId: string) => request<void>('DELETE', `/api/quizzes/${id(quizId)}`),
  /** A GIFT file's questions; its errors and warnings come in `lang`. */
  importGift: (text: string, title: string, lang: Language) =>
    request<Quiz>('POST', `/api/quizzes/import?format=gift&title=${id(title)}&lang=${lang}`, text),

  launch: (body: Launch) => request<Room>('POST', '/api/rooms', body),
  room: (roomId: string) => request<Room>('GET', `/api/rooms/${id(roomId)}`),
  /** The trainer's live rooms. */
  rooms: () => request<Room[]>('GET', '/api/rooms'),
  joinInfo: (name: string) => request<JoinInfo>('GET', `/api/join/${id(name)}`),
  /** The capsule a live room shows: a participant passes their resume token, a trainer nothing. */
  roomSnapshot: (name: string, resumeToken?: string) =>
    request<StoreSnapshot>('GET', `/api/live/${id(name)}/snapshot`, undefined, resumeToken),
  /** The participants whose drawing on the shared canvas the trainer turned off. */
  drawingOff: (name: string) => request<DrawingOff>('GET', `/api/live/${id(name)}/canvas/drawing`),
  /** Turns a participant's drawing on the shared canvas off or back on (they keep their seat). */
  setDrawing: (name: string, participantId: string, allowed: boolean) =>
    request<void>('PUT', `/api/live/${id(name)}/canvas/drawing/${id(participantId)}`, {
      allowed,
    } satisfies DrawingAllowed),
  /** Saves the live board (every page, everyone's drawings) as a new capsule. */
  saveBoard: (name: string, title?: string) =>
    request<Capsule>('POST', `/api/live/${id(name)}/canvas/capsule`, { title: title ?? null } satisfies BoardCapsule),

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
  /** A report's address; for a reader, the page and the spreadsheets speak their language and show their clock. */
  reportUrl: (roomId: string, format: ReportFormat, reader?: { lang: Language; utcOffsetMin: number }) =>
    `/api/sessions/${id(roomId)}/report?format=${format}` +
    (format !== 'json' && reader ? `&lang=${reader.lang}&utc_offset=${reader.utcOffsetMin}` : ''),
}
