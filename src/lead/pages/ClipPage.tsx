/** Placeholder until the page lands. */
export function ClipPage({ clipId }: { clipId: string }) {
  return <h1>{clipId}</h1>
}
