// A participant's resume token, kept per room so that a reload or a dropped network brings
// them back to the same seat.
const key = (room: string) => `pratico.resume.${room}`

export const tokens = {
  get: (room: string) => localStorage.getItem(key(room)),
  set: (room: string, token: string) => localStorage.setItem(key(room), token),
  forget: (room: string) => localStorage.removeItem(key(room)),
  move(from: string, to: string) {
    const token = this.get(from)
    if (token) this.set(to, token)
    this.forget(from)
  },
}
