'use client';

import { useId, useState } from 'react';
import { cx } from '@/components/ui/cx';
import { FieldError, FieldHint, FieldLabel } from '@/components/ui/field-parts';

const LINE_PX = 20;

/**
 * A plain textarea with line numbers; `errorLine` is marked in the gutter and with a band behind
 * the text, so a template error "Line 12: …" is easy to find. The textarea stays a textarea:
 * keyboard, selection, undo and screen readers work as usual.
 */
export function TemplateBodyEditor({
  name,
  value,
  onChange,
  errorLine,
  error,
  readOnly,
}: {
  name: string;
  value: string;
  onChange: (v: string) => void;
  errorLine: number | null;
  error?: string;
  readOnly?: boolean;
}) {
  const id = useId();
  const [scroll, setScroll] = useState(0);
  const lines = Math.max(1, value.split('\n').length);
  return (
    <div className="space-y-1.5">
      <FieldLabel htmlFor={id}>Template body</FieldLabel>
      <div className={cx('relative overflow-hidden rounded-md ring-1 ring-inset', error ? 'ring-red-500' : 'ring-zinc-300 dark:ring-zinc-700')}>
        {/*
          The gutter is laid over the left edge, not beside the textarea in a flex row: as a flex
          item its full height (every line) would stretch the box, and the numbers would stand
          still while the text scrolls. Its column moves by the textarea's scrollTop instead.
        */}
        <div aria-hidden="true" className="absolute inset-y-0 left-0 w-12 overflow-hidden bg-zinc-50 font-mono text-xs text-zinc-500 select-none dark:bg-zinc-900 dark:text-zinc-400">
          <div className="py-2 text-right" style={{ lineHeight: `${LINE_PX}px`, transform: `translateY(${-scroll}px)` }} data-testid="template-gutter">
            {Array.from({ length: lines }, (_, i) => (
              <div key={i} className={cx('pr-2', errorLine === i + 1 && 'bg-red-100 font-bold text-red-700 dark:bg-red-950 dark:text-red-300')}>
                {i + 1}
              </div>
            ))}
          </div>
        </div>
        <div className="relative ml-12 min-w-0">
          {errorLine && (
            <div aria-hidden="true" className="pointer-events-none absolute inset-x-0 bg-red-100/70 dark:bg-red-950/60" style={{ top: 8 + (errorLine - 1) * LINE_PX - scroll, height: LINE_PX }} />
          )}
          <textarea
            id={id}
            name={name}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            onScroll={(e) => setScroll(e.currentTarget.scrollTop)}
            readOnly={readOnly}
            spellCheck={false}
            wrap="off"
            rows={24}
            aria-invalid={error ? true : undefined}
            aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
            className="relative block w-full resize-y bg-transparent px-3 py-2 font-mono text-xs text-zinc-900 focus:outline-2 focus:-outline-offset-2 focus:outline-indigo-500 dark:text-zinc-100"
            style={{ lineHeight: `${LINE_PX}px`, tabSize: 4 }}
          />
        </div>
      </div>
      <FieldHint id={id}>
        Liquid syntax. Variables: <code>domain.*</code>, <code>upstream.name</code>, <code>listen.http</code>, <code>listen.https</code>, <code>acme.root</code>, <code>nginx.http2Directive</code>. Keep the ACME challenge location.
      </FieldHint>
      <FieldError id={id} error={error} />
    </div>
  );
}
