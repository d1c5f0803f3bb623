'use client';

import { useId, useRef, useState } from 'react';
import { Button } from './button';
import { Icon } from './icons';

/** A read-only value with a copy button (e.g. a new API token, shown once). */
export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  const input = useRef<HTMLTextAreaElement>(null);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Clipboard API needs a secure context (https or localhost): fall back to selecting the text.
      input.current?.select();
      document.execCommand?.('copy');
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <div className="flex items-start gap-2">
        {/* A textarea so a long value wraps and is seen whole (an input clipped it). */}
        <textarea
          ref={input}
          id={id}
          readOnly
          rows={2}
          value={value}
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
          className="min-w-0 flex-1 resize-none rounded-md bg-zinc-50 px-3 py-2 font-mono text-sm leading-6 break-all ring-1 ring-zinc-300 ring-inset dark:bg-zinc-950 dark:ring-zinc-700"
        />
        <Button onClick={copy} aria-label={copied ? 'Copied' : `Copy ${label.toLowerCase()}`}>
          <Icon name={copied ? 'check' : 'copy'} />
          <span aria-hidden="true">{copied ? 'Copied' : 'Copy'}</span>
        </Button>
      </div>
      <p aria-live="polite" className="sr-only">
        {copied ? 'Copied to the clipboard.' : ''}
      </p>
    </div>
  );
}
