/** Where a flag came from (the field pack's `flags[].source`), free of zod for the renderer; field-pack.ts re-exports it. */
export const FLAG_SOURCES = ['classifier', 'user_report', 'trusted_flagger', 'keyword', 'authority_request'] as const
