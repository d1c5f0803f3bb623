'use client';

import { useEffect, useRef } from 'react';
import useSWR from 'swr';
import { StatusPill } from '@/components/ui/badge';
import { cx } from '@/components/ui/cx';
import { fetchJson, useLiveEvents } from './live';

interface TaskView {
  id: string;
  status: string;
  progress: number;
  error: string | null;
}
interface LogLine {
  seq: number;
  stream: 'stdout' | 'stderr' | 'info';
  text: string;
}

/** A task's status and log, live: lines arrive through the event stream as the task writes them. */
export function TaskLog({ taskId, onFinished }: { taskId: string; onFinished?: (status: string) => void }) {
  const task = useSWR<TaskView>(`/api/v1/tasks/${taskId}`, fetchJson);
  const logs = useSWR<{ lines: LogLine[] }>(`/api/v1/tasks/${taskId}/logs?limit=5000`, fetchJson);

  useLiveEvents(['task.log', 'task.updated'], (type, data) => {
    if (data.taskId !== taskId) return;
    if (type === 'task.log') {
      const line = { seq: Number(data.seq), stream: data.stream as LogLine['stream'], text: String(data.text ?? '') };
      void logs.mutate((cur) => (cur && !cur.lines.some((l) => l.seq === line.seq) ? { lines: [...cur.lines, line].sort((a, b) => a.seq - b.seq) } : cur), { revalidate: !logs.data });
      return;
    }
    const status = String(data.status);
    void task.mutate((cur) => (cur ? { ...cur, status, progress: Number(data.progress ?? cur.progress), error: (data.error as string | null) ?? cur.error } : cur), { revalidate: !task.data });
    if (['succeeded', 'failed', 'interrupted'].includes(status)) {
      // The final lines and error are read once more, in case an event was missed.
      void logs.mutate();
      void task.mutate();
      onFinished?.(status);
    }
  }, () => {
    void logs.mutate();
    void task.mutate();
  });

  // Read once more after subscribing: whatever happened between the first fetch and the
  // subscription (a fast task may have finished) is then in what we show.
  useEffect(() => {
    void logs.mutate();
    void task.mutate();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [taskId]);

  const t = task.data;
  const lines = logs.data?.lines ?? [];
  // Follow the newest line like a terminal, unless the reader scrolled up to read.
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    if (pinned.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines.length]);
  return (
    <div className="space-y-3">
      <div className="flex items-center gap-3">
        {t ? <StatusPill status={t.status} /> : <span className="text-sm text-zinc-500">Loading…</span>}
        {t && (
          <div
            className="h-1.5 flex-1 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800"
            role="progressbar"
            aria-label="Task progress"
            aria-valuenow={t.progress}
            aria-valuemin={0}
            aria-valuemax={100}
          >
            <div className={cx('h-full transition-all', t.status === 'failed' ? 'bg-red-500' : 'bg-indigo-500')} style={{ width: `${t.progress}%` }} />
          </div>
        )}
      </div>
      <div
        ref={box}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
        role="log"
        aria-live="polite"
        aria-label="Task log"
        className="max-h-72 overflow-y-auto rounded-md bg-zinc-950 p-3 font-mono text-xs leading-5 text-zinc-100 ring-1 ring-zinc-800"
      >
        {lines.length === 0 && <p className="text-zinc-400">Waiting for the task to start…</p>}
        {lines.map((l) => (
          <p key={l.seq} className={cx('break-words whitespace-pre-wrap', l.stream === 'stderr' && 'text-red-300')}>
            {l.text}
          </p>
        ))}
      </div>
      {t?.error && (
        <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-400">
          {t.error}
        </p>
      )}
    </div>
  );
}
