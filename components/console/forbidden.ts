/**
 * Production builds replace a server error's message with a generic one before it reaches
 * error.tsx; only `digest` survives. An admin-only page stamps this digest on the 403 so the
 * boundary can say what happened.
 */
export const FORBIDDEN_DIGEST = 'gatehouse:forbidden';
