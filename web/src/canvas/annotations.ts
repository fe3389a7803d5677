// Whose drawings are whose on the shared board. Every shape drawn in the room carries its
// author in `meta.createdBy` (`trainer`, or the participant's id); the capsule's own shapes carry
// none and are never cleared.
import type { Editor, TLShape, TLShapeId } from 'tldraw'

export const TRAINER = 'trainer'

export type Whose = 'mine' | 'others'

function author(shape: TLShape): string | null {
  const by = shape.meta.createdBy
  return typeof by === 'string' ? by : null
}

function matches(shape: TLShape, whose: Whose): boolean {
  const by = author(shape)
  if (by === null) return false
  return whose === 'mine' ? by === TRAINER : by !== TRAINER
}

function shapesOnPage(editor: Editor, whose: Whose): TLShapeId[] {
  const found: TLShapeId[] = []
  for (const id of editor.getCurrentPageShapeIds()) {
    const shape = editor.getShape(id)
    if (shape && matches(shape, whose)) found.push(id)
  }
  return found
}

/** How many of the trainer's and of the participants' drawings the page shown holds. */
export function annotationCounts(editor: Editor): { mine: number; others: number } {
  return { mine: shapesOnPage(editor, 'mine').length, others: shapesOnPage(editor, 'others').length }
}

/** Deletes the trainer's (`mine`) or the participants' (`others`) drawings on the page shown; undoable. */
export function clearAnnotations(editor: Editor, whose: Whose) {
  const ids = shapesOnPage(editor, whose)
  if (ids.length === 0) return
  editor.markHistoryStoppingPoint(`clear ${whose}`)
  editor.run(() => editor.deleteShapes(ids), { ignoreShapeLock: true })
}
