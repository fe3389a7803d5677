// An optional image of a question or a choice in the quiz editor: add one (uploaded to the
// asset store, with its progress, and what went wrong in the trainer's words), see it as
// participants will (the same box), remove it.
import { useId, useState } from 'react'
import { api, ApiError } from '../api'
import { useI18n } from '../i18n'
import { QuizImage } from '../live/QuizImage'

interface ImagePickerProps {
  image: string | null | undefined
  kind: 'question' | 'choice'
  /** Names the control: "Add an image" or "Add an image to choice B". */
  addLabel: string
  removeLabel: string
  /** What the buttons show when their names are too long for the place (a choice's row). */
  shortLabels?: { add: string; remove: string }
  onChange(image: string | null): void
}

/** What the image picker accepts, as the server does (it checks the bytes anyway). */
const ACCEPT = 'image/png,image/jpeg,image/gif,image/webp,image/svg+xml'

export function ImagePicker({ image, kind, addLabel, removeLabel, shortLabels, onChange }: ImagePickerProps) {
  const { t } = useI18n()
  const inputId = useId()
  const [progress, setProgress] = useState<number | null>(null)
  const [error, setError] = useState<string | null>(null)

  const upload = async (file: File) => {
    setError(null)
    setProgress(0)
    try {
      const asset = await api.uploadAssetWithProgress(file, setProgress)
      onChange(asset.url)
    } catch (e) {
      const code = e instanceof ApiError ? e.code : 'http'
      setError(
        code === 'unsupported_media_type'
          ? t('editor.imageNotImage')
          : code === 'payload_too_large'
            ? t('editor.imageTooLarge')
            : code === 'network'
              ? t('editor.imageOffline')
              : t('editor.imageFailed'),
      )
    } finally {
      setProgress(null)
    }
  }

  return (
    <div className={`image-picker image-picker-${kind}`}>
      {image && <QuizImage src={image} kind={kind} alt="" />}
      {progress !== null ? (
        <p className="image-progress" role="status">
          <progress value={progress} max={1} aria-label={t('editor.imageUploading')} />{' '}
          {t('editor.imageUploadingPercent', { percent: Math.round(progress * 100) })}
        </p>
      ) : image ? (
        <button type="button" className="button small" onClick={() => onChange(null)} aria-label={removeLabel}>
          {shortLabels?.remove ?? removeLabel}
        </button>
      ) : (
        <>
          <input
            id={inputId}
            className="sr-only"
            type="file"
            accept={ACCEPT}
            aria-label={addLabel}
            onChange={(e) => {
              const file = e.target.files?.[0]
              e.target.value = ''
              if (file) void upload(file)
            }}
          />
          <label htmlFor={inputId} className="button small image-add" aria-hidden="true">
            + {shortLabels?.add ?? addLabel}
          </label>
        </>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  )
}
