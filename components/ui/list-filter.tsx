'use client';

import { useState } from 'react';
import { controlClass } from './field-parts';

/** Type-ahead filtering of a list: items whose `fields` contain the text, case-insensitively. */
export function useListFilter<T>(all: T[], fields: (item: T) => string[]) {
  const [filter, setFilter] = useState('');
  const q = filter.trim().toLowerCase();
  const items = q ? all.filter((item) => fields(item).some((v) => v.toLowerCase().includes(q))) : all;
  return { filter, setFilter, active: q !== '', items };
}

/** The search box above a table (labelled for screen readers, placeholder for the eye). */
export function ListFilter({ id, label, placeholder, value, onChange }: { id: string; label: string; placeholder: string; value: string; onChange: (value: string) => void }) {
  return (
    <div className="max-w-xs">
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <input id={id} type="search" placeholder={placeholder} value={value} onChange={(e) => onChange(e.target.value)} className={`${controlClass(false)} h-9`} />
    </div>
  );
}
