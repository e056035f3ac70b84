import { createContext } from 'react'

/**
 * What the decision form can ask of the workspace besides saving, without every component
 * in between passing it along: skipping the clip (with a reason) and moving on.
 */
export interface ReviewActions {
  /** Records the skip and opens the next pending clip; resolves true when it was recorded. */
  skip: (clipId: string, reason: string) => Promise<boolean>
}

export const ReviewActionsContext = createContext<ReviewActions | null>(null)
