import { revalidatePath } from 'next/cache';
import { unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import type { Actor } from '../access/actor';
import { requireActor, requireAdminActor } from '../auth/session';
import { typedError, UnavailableError, zodFields } from '../errors';
import { asUnavailable, unavailableLogLine } from '../db/unavailable';
import { DRAINING_MESSAGE, isDraining } from '../lifecycle';
import { formDataToInput, toFormFields, type FieldMap } from './form-fields';
import { nulPath } from '../text';

export { formDataToInput, type FieldMap };

/**
 * What a form's server action answers, for `useActionState`. `fields` carries messages per field
 * (shown beside the field); `values` echoes what was typed (never secrets), which refills the form
 * when it was posted without JavaScript; `at` changes on every answer, so a repeat success is new.
 */
export interface FormState {
  ok: boolean;
  message?: string;
  fields?: Record<string, string[]>;
  values?: Record<string, string | string[]>;
  /** Whatever the action hands back to the client (e.g. a token shown once). */
  data?: unknown;
  at?: number;
}

/** What an action body may return: nothing, a success message, or a message with data for the client. */
export type ActionResult<T> = void | string | { message?: string; data?: T };

export interface FormActionOptions {
  /** Admin-only: checked here, inside the action, whatever the page showed. */
  admin?: boolean;
  /** Paths to revalidate after success (default: none; the page the form is on usually). */
  revalidate?: string | string[];
  /**
   * For a form whose fields are not named like the input: which form field stands for which
   * input path. The field's value fills that path of the schema (when the schema has it), and
   * field errors for the path or below it, the schema's or lib's, land beside the form field.
   */
  fields?: FieldMap;
  /** The two-factor set-up's own actions: allowed while settings.security.require2fa holds the session there. */
  enrolling?: boolean;
}

const GENERIC = 'Something went wrong. Try again, and check the server log if it persists.';

// Values that are never echoed back to the browser after a failed submit.
const SECRET_KEY = /password|passphrase|secret|private|token|key$/i;

/** The non-secret text fields of a submit, echoed back so a failed form keeps what was typed. */
export function echoValues(formData: FormData): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  for (const key of new Set(formData.keys())) {
    if (key.startsWith('$ACTION') || SECRET_KEY.test(key)) continue;
    const all = formData.getAll(key).filter((v): v is string => typeof v === 'string');
    values[key] = all.length === 1 ? all[0] : all;
  }
  return values;
}

/**
 * Maps a thrown error to form state: typed lib errors keep their (user-facing) message and
 * fields; a database outage (lib/db/unavailable.ts) says so plainly; anything else is logged and answered with a generic message, never a stack.
 * Next's own control flow (redirect, notFound) is rethrown.
 */
export function failureState(err: unknown, formData?: FormData): FormState {
  unstable_rethrow(err);
  const values = formData ? echoValues(formData) : undefined;
  const typed = typedError(err);
  const unavailable = typed instanceof UnavailableError ? typed : typed ? null : asUnavailable(err);
  if (unavailable) {
    console.error(unavailableLogLine(unavailable, err));
    return { ok: false, message: unavailable.message, values, at: Date.now() };
  }
  if (typed) return { ok: false, message: typed.message, fields: typed.fields, values, at: Date.now() };
  console.error('[gatehouse] form action failed:', err);
  return { ok: false, message: GENERIC, values, at: Date.now() };
}

/**
 * The one server-action wrapper: who is acting (and, for admin actions, is it an admin), the
 * form shaped by the lib schema, the lib call, errors mapped, paths revalidated.
 *
 * The schema is usually the lib's own input schema (extended with e.g. `id` for the target);
 * it is checked here only so the body gets typed data and field errors come back before any
 * work; the lib function parses again with the same schema, so the rules live in one place.
 *
 * ```ts
 * export const createUserAction = formAction(userCreateInput, async (data, actor) => {
 *   const user = await createUser(actor, data);
 *   return `Created ${user.email}.`;
 * }, { admin: true, revalidate: '/users' });
 * ```
 */
export function formAction<S extends z.ZodType, T = unknown>(
  schema: S,
  body: (data: z.input<S>, actor: Actor) => Promise<ActionResult<T>>,
  options: FormActionOptions = {},
): (prevState: FormState, formData: FormData) => Promise<FormState> {
  return async (_prev, formData) => {
    // Shutting down: the form keeps what was typed and says to try again (the API's 503 `unavailable`).
    if (isDraining()) return { ok: false, message: DRAINING_MESSAGE, values: echoValues(formData), at: Date.now() };
    try {
      const actor = options.admin ? await requireAdminActor() : await requireActor({ enrolling: options.enrolling });
      const input = formDataToInput(schema, formData, options.fields);
      // As in the API (lib/http/handler.ts): no field takes a NUL, which PostgreSQL cannot store.
      const nul = nulPath(input);
      if (nul) {
        return { ok: false, message: 'Some fields are not valid.', fields: toFormFields({ [nul]: ['Text cannot contain NUL characters.'] }, options.fields), values: echoValues(formData), at: Date.now() };
      }
      const checked = schema.safeParse(input);
      if (!checked.success) {
        return { ok: false, message: 'Some fields are not valid.', fields: toFormFields(zodFields(checked.error), options.fields), values: echoValues(formData), at: Date.now() };
      }
      const result = await body(input as z.input<S>, actor);
      for (const path of [options.revalidate ?? []].flat()) revalidatePath(path);
      const answer = typeof result === 'string' ? { message: result } : (result ?? {});
      return { ok: true, message: answer.message ?? 'Saved.', data: answer.data, at: Date.now() };
    } catch (err) {
      const state = failureState(err, formData);
      return state.fields ? { ...state, fields: toFormFields(state.fields, options.fields) } : state;
    }
  };
}
