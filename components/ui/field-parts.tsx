import type { ReactNode } from 'react';

/** Ids that tie a control to its hint and error (aria-describedby). */
export function describedBy(id: string, hint?: ReactNode, error?: string) {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}

export function FieldLabel({ htmlFor, children, optional }: { htmlFor: string; children: ReactNode; optional?: boolean }) {
  return (
    <label htmlFor={htmlFor} className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
      {children}
      {optional && <span className="ml-1 font-normal text-zinc-500 dark:text-zinc-400">(optional)</span>}
    </label>
  );
}

export function FieldHint({ id, children }: { id: string; children?: ReactNode }) {
  if (!children) return null;
  return (
    <p id={`${id}-hint`} className="text-sm text-zinc-500 dark:text-zinc-400">
      {children}
    </p>
  );
}

export function FieldError({ id, error }: { id: string; error?: string }) {
  if (!error) return null;
  return (
    <p id={`${id}-error`} className="text-sm font-medium text-red-700 dark:text-red-400">
      {error}
    </p>
  );
}

export const controlClass = (invalid: boolean) =>
  [
    'block w-full rounded-md bg-white px-3 text-sm text-zinc-900 shadow-sm ring-1 ring-inset placeholder:text-zinc-400',
    'focus:outline-2 focus:-outline-offset-1 focus:outline-indigo-500',
    'disabled:cursor-not-allowed disabled:bg-zinc-100 disabled:text-zinc-500',
    'dark:bg-zinc-900 dark:text-zinc-100 dark:placeholder:text-zinc-500 dark:disabled:bg-zinc-800',
    invalid ? 'ring-red-500 dark:ring-red-500' : 'ring-zinc-300 dark:ring-zinc-700',
  ].join(' ');
