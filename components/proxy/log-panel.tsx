'use client';

import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { controlClass } from '@/components/ui/field-parts';
import { cx } from '@/components/ui/cx';

const MAX_LINES = 1000;
type Kind = 'access' | 'error';

/**
 * A domain's access or error log, live: the last 100 lines, then each new one as the server's
 * Nginx writes it (GET /domains/{id}/logs/stream, read over SSH). Pause holds the view (new lines
 * are counted, not lost); the filter only hides lines in this browser.
 */
export function LogPanel({ domainId, kinds }: { domainId: string; kinds: Kind[] }) {
  const [kind, setKind] = useState<Kind>(kinds[0] ?? 'access');
  const [lines, setLines] = useState<string[]>([]);
  const [held, setHeld] = useState<string[] | null>(null);
  const [filter, setFilter] = useState('');
  const [state, setState] = useState<'connecting' | 'live' | 'ended'>('connecting');
  const paused = useRef(false);
  const filterId = useId();
  const kindId = useId();

  const switchKind = (next: Kind) => {
    setLines([]);
    setHeld(null);
    paused.current = false;
    setState('connecting');
    setKind(next);
  };

  useEffect(() => {
    const source = new EventSource(`/api/v1/domains/${encodeURIComponent(domainId)}/logs/stream?kind=${kind}&lines=100`);
    const add = (text: string) => {
      if (paused.current) setHeld((h) => [...(h ?? []), text].slice(-MAX_LINES));
      else setLines((l) => [...l, text].slice(-MAX_LINES));
    };
    source.onopen = () => setState('live');
    source.addEventListener('log', (e) => {
      try {
        add((JSON.parse((e as MessageEvent).data) as { text: string }).text);
      } catch {
        /* a frame that is not ours */
      }
    });
    source.addEventListener('end', () => {
      setState('ended');
      source.close();
    });
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'ended' : 'connecting');
    return () => source.close();
  }, [domainId, kind]);

  const togglePause = () => {
    if (paused.current) {
      paused.current = false;
      setLines((l) => [...l, ...(held ?? [])].slice(-MAX_LINES));
      setHeld(null);
    } else {
      paused.current = true;
      setHeld([]);
    }
  };

  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f ? lines.filter((l) => l.toLowerCase().includes(f)) : lines;
  }, [lines, filter]);

  return (
    <section aria-label="Live log" className="space-y-3">
      <div className="flex flex-wrap items-end gap-3">
        <div className="space-y-1.5">
          <label htmlFor={kindId} className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
            Log
          </label>
          <select id={kindId} value={kind} onChange={(e) => switchKind(e.target.value as Kind)} className={cx(controlClass(false), 'h-10')}>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {k === 'access' ? 'Access log' : 'Error log'}
              </option>
            ))}
          </select>
        </div>
        <div className="min-w-48 flex-1 space-y-1.5">
          <label htmlFor={filterId} className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
            Filter
          </label>
          <input id={filterId} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Show only lines containing…" className={cx(controlClass(false), 'h-10')} />
        </div>
        <Button onClick={togglePause} aria-pressed={held !== null}>
          {held !== null ? `Resume${held.length ? ` (${held.length} new)` : ''}` : 'Pause'}
        </Button>
      </div>
      <p className="text-xs text-zinc-500 dark:text-zinc-400" role="status">
        {state === 'live' ? (held !== null ? 'Paused: new lines are kept until you resume.' : 'Live.') : state === 'connecting' ? 'Connecting to the server…' : 'The connection to the server ended.'}
        {filter.trim() && ` Showing ${shown.length} of ${lines.length} lines.`}
      </p>
      <pre className="max-h-96 overflow-auto rounded-md bg-zinc-50 p-3 font-mono text-xs whitespace-pre-wrap break-all dark:bg-zinc-950" aria-label={`${kind === 'access' ? 'Access' : 'Error'} log lines`} aria-live="off">
        {shown.length ? shown.join('\n') : lines.length ? 'No line matches the filter.' : 'No lines yet.'}
      </pre>
    </section>
  );
}
