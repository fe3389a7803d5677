// Whether the audience screen shows how to join (the link, a large QR code, the head count).
// The presenter decides; the screen follows. Automatic until the trainer chooses: shown while
// the room is on its first page (people arrive while the title page is up), hidden once the
// session has moved on. A choice is kept per room in this browser's storage, which every tab of
// it shares (the `storage` event tells the others at once), so the screen follows the switch
// live and keeps it over reloads.
import { useCallback, useEffect, useState } from 'react'

const key = (roomId: string) => `pratico.audience.joinInfo.${roomId}`

function read(value: string | null): boolean | null {
  return value === 'on' ? true : value === 'off' ? false : null
}

/** The trainer's choice for this room: `null` while automatic. */
export function useJoinInfoChoice(roomId: string): [boolean | null, (shown: boolean) => void] {
  const [choice, setChoice] = useState(() => read(localStorage.getItem(key(roomId))))
  useEffect(() => {
    setChoice(read(localStorage.getItem(key(roomId))))
    const changed = (event: StorageEvent) => {
      if (event.key === key(roomId)) setChoice(read(event.newValue))
    }
    window.addEventListener('storage', changed)
    return () => window.removeEventListener('storage', changed)
  }, [roomId])
  const choose = useCallback(
    (shown: boolean) => {
      localStorage.setItem(key(roomId), shown ? 'on' : 'off')
      setChoice(shown)
    },
    [roomId],
  )
  return [choice, choose]
}

/** Shown or not: the choice, else automatic (on the first page). */
export function joinInfoShown(choice: boolean | null, pageIndex: number): boolean {
  return choice ?? pageIndex <= 0
}
