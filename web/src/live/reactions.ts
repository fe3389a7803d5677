// The reactions a participant may send, in the order every screen shows them, with their emoji.
import type { MessageKey } from '../i18n'
import type { Reaction } from '../protocol/Reaction'

export const REACTIONS: readonly Reaction[] = [
  'thumbs_up',
  'clap',
  'heart',
  'laugh',
  'surprised',
  'confused',
  'slower',
  'faster',
]

export const REACTION_EMOJI: Record<Reaction, string> = {
  thumbs_up: '👍',
  clap: '👏',
  heart: '❤️',
  laugh: '😂',
  surprised: '😮',
  confused: '😕',
  slower: '🐢',
  faster: '🐇',
}

export function reactionLabel(reaction: Reaction): MessageKey {
  return `reaction.${reaction}`
}

/** Running totals per reaction, as the server's `reactions` frames and the report give them. */
export type ReactionCounts = { [key in Reaction]?: number }

/** The offered reactions, in the usual order (the server's list may come in any order). */
export function offeredReactions(offered: readonly Reaction[] | undefined): Reaction[] {
  return REACTIONS.filter((r) => offered?.includes(r))
}
