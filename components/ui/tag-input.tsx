'use client';

import { useId, useState, type KeyboardEvent } from 'react';
import { useFieldState } from './form';
import { FieldError, FieldHint, FieldLabel, controlClass, describedBy } from './field-parts';

/** Mirrors lib/servers/tags.ts (the server validates again; this only keeps the chips tidy). */
const normalise = (s: string) => s.trim().toLowerCase();

/**
 * A labelled chip input for tags. Type a tag and press Enter or comma (or leave the field) to add
 * it; Backspace in the empty field removes the last chip; each chip has a remove button. Each tag
 * is posted as one `name` value, plus an empty one so "no tags" reaches the server as a list.
 */
export function TagInput({ name = 'tags', label = 'Tags', initial = [], hint }: { name?: string; label?: string; initial?: string[]; hint?: string }) {
  const id = useId();
  const { error, value: echoed } = useFieldState(name);
  const [tags, setTags] = useState<string[]>(() => (echoed !== undefined ? [echoed].flat().filter(Boolean) : initial));
  const [draft, setDraft] = useState('');
  const add = (raw: string) => {
    const parts = raw.split(/[,\s]+/).map(normalise).filter(Boolean);
    if (parts.length) setTags((cur) => [...new Set([...cur, ...parts])]);
    setDraft('');
  };
  const remove = (tag: string) => setTags((cur) => cur.filter((t) => t !== tag));
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter' || e.key === ',') {
      if (draft.trim()) {
        e.preventDefault();
        add(draft);
      } else if (e.key === ',') e.preventDefault();
    } else if (e.key === 'Backspace' && draft === '' && tags.length) {
      e.preventDefault();
      remove(tags[tags.length - 1]);
    }
  };
  const hintText = hint ?? 'Lower-case letters, digits and "-". Press Enter or comma to add a tag.';
  return (
    <div className="space-y-1.5">
      <FieldLabel htmlFor={id} optional>
        {label}
      </FieldLabel>
      <div className={`${controlClass(Boolean(error))} flex min-h-9 flex-wrap items-center gap-1.5 py-1.5`}>
        <ul aria-label={`${label} added`} className="contents">
          {tags.map((tag) => (
            <li key={tag} className="inline-flex items-center gap-1 rounded-full bg-indigo-50 py-0.5 pr-1 pl-2 text-xs font-medium text-indigo-800 ring-1 ring-indigo-600/20 ring-inset dark:bg-indigo-950/60 dark:text-indigo-300">
              {tag}
              <button
                type="button"
                onClick={() => remove(tag)}
                aria-label={`Remove tag ${tag}`}
                className="rounded-full px-1 leading-none text-indigo-600 hover:bg-indigo-100 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-300 dark:hover:bg-indigo-900"
              >
                ×
              </button>
              <input type="hidden" name={name} value={tag} />
            </li>
          ))}
        </ul>
        <input type="hidden" name={name} value="" />
        <input
          id={id}
          value={draft}
          onChange={(e) => (e.target.value.includes(',') ? add(e.target.value) : setDraft(e.target.value))}
          onKeyDown={onKeyDown}
          onBlur={() => draft.trim() && add(draft)}
          autoComplete="off"
          spellCheck={false}
          aria-describedby={describedBy(id, hintText, error)}
          aria-invalid={error ? true : undefined}
          placeholder={tags.length ? '' : 'e.g. web, eu'}
          className="min-w-24 flex-1 bg-transparent text-sm outline-none"
        />
      </div>
      <FieldHint id={id}>{hintText}</FieldHint>
      <FieldError id={id} error={error} />
    </div>
  );
}
