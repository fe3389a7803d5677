// The trainer's side of a live room. The presenter and the audience screen each join as the
// trainer (a trainer may hold several connections): the same hook, the same room state.
import { api, found } from '../api'
import type { Room } from '../api-types/Room'
import { useLiveRoom } from './useLiveRoom'

export function useTrainerRoom(room: Room) {
  return useLiveRoom(
    room.name,
    () => ({ type: 'join', as: 'trainer' }),
    () => found(api.room(room.id)),
  )
}
