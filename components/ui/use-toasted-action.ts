'use client';

import { useActionState, useCallback, useEffect, useRef } from 'react';
import type { FormState } from '@/lib/http/action';
import { initialFormState } from './form';
import type { FormServerAction } from './form';
import { useToast } from './toast';

/**
 * useActionState for a server action whose outcome is told in a toast. The toast (and
 * `onSuccess`, e.g. closing a modal) runs when the action returns — not in an effect — because
 * a success often re-renders the page without the very component that asked (a deleted row, a
 * revoked token's button), and its effects would never run.
 */
export function useToastedAction(action: FormServerAction, options: { onSuccess?: (state: FormState) => void; toastErrors?: boolean } = {}) {
  const toast = useToast();
  const latest = useRef(options);
  useEffect(() => {
    latest.current = options;
  });
  const run = useCallback(
    async (prev: FormState, formData: FormData) => {
      const state = await action(prev, formData);
      if (state.ok) {
        toast.show(state.message ?? 'Done.');
        latest.current.onSuccess?.(state);
      } else if (latest.current.toastErrors) {
        toast.show(state.message ?? 'That did not work.', 'error');
      }
      return state;
    },
    [action, toast],
  );
  return useActionState(run, initialFormState);
}
