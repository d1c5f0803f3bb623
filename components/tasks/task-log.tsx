'use client';

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { TaskDto } from '@/lib/tasks/schemas';
import { StatusPill } from '@/components/ui/badge';
import { Notice } from '@/components/ui/notice';
import { cx } from '@/components/ui/cx';
import { fetchJson } from '@/components/realtime/fetch-json';
import { useEvents } from './event-stream';
import { duration, finished } from './task-kinds';

export interface LogLine {
  seq: number;
  at?: string;
  stream: 'stdout' | 'stderr' | 'info';
  text: string;
}

/** A running task nothing was heard of for this long is read again (an event may have been lost). */
const QUIET_MS = 10_000;

const streamClass: Record<LogLine['stream'], string> = {
  info: 'text-zinc-100',
  stdout: 'text-zinc-400',
  stderr: 'text-red-300',
};

/** Lines by seq, in order, without duplicates. */
function merge(current: LogLine[], incoming: LogLine[]): LogLine[] {
  const last = current.at(-1)?.seq ?? 0;
  const fresh = incoming.filter((l) => l.seq > last).sort((a, b) => a.seq - b.seq);
  return fresh.length ? [...current, ...fresh] : current;
}

/**
 * A task's status, progress and log, live: `task.log` events append lines as the task writes them;
 * a gap in the sequence (a missed event), a change of status, a reconnect and the mount itself
 * (after subscribing) read the task again, so the log is complete and in order and the view
 * reaches the final state even when it opened after, or missed, an event. While the task runs the
 * elapsed time ticks, and a task heard nothing of for QUIET_MS is read again. Follows the bottom
 * unless the reader scrolled up.
 */
export function TaskLog({ initialTask, initialLines, onFinished }: { initialTask: TaskDto; initialLines: LogLine[]; onFinished?: (status: TaskDto['status']) => void }) {
  const [task, setTask] = useState(initialTask);
  const [lines, setLines] = useState(initialLines);
  const lastSeq = useRef(initialLines.at(-1)?.seq ?? 0);
  const fetching = useRef(false);
  const again = useRef(false);
  const reported = useRef(false);
  const box = useRef<HTMLOListElement>(null);
  const follow = useRef(true);
  const heardAt = useRef(0);
  const [now, setNow] = useState(() => Date.now());
  const id = initialTask.id;

  const statusRef = useRef(task.status);
  useEffect(() => {
    lastSeq.current = lines.at(-1)?.seq ?? 0;
  }, [lines]);
  useEffect(() => {
    statusRef.current = task.status;
  }, [task.status]);

  const catchUp = useCallback(async () => {
    // A call during a fetch runs once more afterwards: that fetch may have been answered before
    // the line or final state that prompted the call was written.
    if (fetching.current) return void (again.current = true);
    fetching.current = true;
    try {
      do {
        again.current = false;
        const [logs, fresh] = await Promise.all([
          fetchJson<{ lines: LogLine[] }>(`/api/v1/tasks/${id}/logs?after=${lastSeq.current}&limit=5000`),
          fetchJson<TaskDto>(`/api/v1/tasks/${id}`),
        ]);
        lastSeq.current = Math.max(lastSeq.current, logs.lines.at(-1)?.seq ?? 0);
        setLines((cur) => merge(cur, logs.lines));
        setTask(fresh);
        heardAt.current = Date.now();
      } while (again.current);
    } catch {
      // The stream will bring the next line or reconnect; nothing to show for a failed catch-up.
    } finally {
      fetching.current = false;
    }
  }, [id]);

  useEvents(
    ['task.log', 'task.updated'],
    (type, data) => {
      if (data.taskId !== id) return;
      heardAt.current = Date.now();
      if (type === 'task.updated') {
        // A new status (started, finished) is read again: the event does not carry startedAt or
        // finishedAt, and a read answered before it was sent must not have the last word.
        const changed = data.status !== statusRef.current;
        setTask((cur) => ({ ...cur, status: data.status as TaskDto['status'], progress: Number(data.progress ?? cur.progress), error: (data.error as string | null) ?? cur.error }));
        if (changed || finished(String(data.status))) void catchUp();
        return;
      }
      const line: LogLine = { seq: Number(data.seq), stream: data.stream as LogLine['stream'], text: String(data.text ?? '') };
      if (line.seq > lastSeq.current + 1) void catchUp();
      else {
        lastSeq.current = Math.max(lastSeq.current, line.seq);
        setLines((cur) => merge(cur, [line]));
      }
    },
    () => void catchUp(),
  );

  // Once subscribed, read again: what happened since the first read (a fast task may already have
  // finished) sent no event we heard, and an already open stream does not call the open handler.
  useEffect(() => {
    heardAt.current = Date.now();
    void catchUp();
  }, [catchUp]);

  // While it runs: the elapsed time ticks, and a long silence is checked with one read.
  const running = !finished(task.status);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      setNow(Date.now());
      if (Date.now() - heardAt.current < QUIET_MS) return;
      heardAt.current = Date.now(); // at most one such read per QUIET_MS, even if it fails
      void catchUp();
    }, 1000);
    return () => clearInterval(timer);
  }, [running, catchUp]);

  // Once, when the task is (or becomes) finished: e.g. a modal refreshes the list the task changed.
  useEffect(() => {
    if (reported.current || !finished(task.status)) return;
    reported.current = true;
    onFinished?.(task.status);
  }, [task.status, onFinished]);

  useLayoutEffect(() => {
    if (follow.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);

  const took = duration(task.startedAt, task.finishedAt, now);
  // While it runs, the step it is on: its latest line announcing one (they end in "…", e.g.
  // "Reloading: waiting for Nginx workers…"), shown beside the progress.
  const step = running ? [...lines].reverse().find((l) => l.stream === 'info' && l.text.trimEnd().endsWith('…'))?.text : undefined;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <StatusPill status={task.status} />
        <div
          className="h-2 w-48 max-w-full overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
          role="progressbar"
          aria-label="Progress"
          aria-valuenow={task.progress}
          aria-valuemin={0}
          aria-valuemax={100}
        >
          <div className={cx('h-full rounded-full transition-[width]', task.status === 'failed' ? 'bg-red-500' : 'bg-indigo-500')} style={{ width: `${task.progress}%` }} />
        </div>
        <span className="tabular-nums text-zinc-600 dark:text-zinc-400">{task.progress}%</span>
        {took && <span suppressHydrationWarning className="text-zinc-600 dark:text-zinc-400">{running ? `running for ${took}` : `took ${took}`}</span>}
      </div>
      {step && (
        <p className="truncate text-sm text-zinc-700 dark:text-zinc-300" title={step} data-testid="task-step">
          <span className="sr-only">Current step: </span>
          {step}
        </p>
      )}
      {task.status === 'failed' && task.error && (
        <Notice tone="error" title="The task failed" role="alert">
          {task.error}
        </Notice>
      )}
      {task.status === 'interrupted' && <Notice tone="warning" title="Interrupted">{task.error ?? 'Gatehouse stopped while this task was running.'}</Notice>}
      <ol
        ref={box}
        role="log"
        aria-label="Task log"
        aria-live="polite"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
        className="max-h-[32rem] min-h-40 overflow-auto rounded-lg bg-zinc-950 p-4 font-mono text-[13px] leading-6 ring-1 ring-zinc-800 focus-visible:outline-2 focus-visible:outline-indigo-500"
      >
        {lines.map((l) => (
          <li key={l.seq} data-seq={l.seq} data-stream={l.stream} className={cx('flex gap-4 whitespace-pre-wrap break-words', streamClass[l.stream])}>
            <span aria-hidden="true" className="w-8 shrink-0 text-right text-zinc-600 select-none">
              {l.seq}
            </span>
            <span className="min-w-0">{l.text || ' '}</span>
          </li>
        ))}
        {running && (
          <li className="flex gap-4 text-zinc-500">
            <span aria-hidden="true" className="w-8 shrink-0" />
            <span className="animate-pulse">{task.status === 'queued' ? 'Waiting to start…' : 'Running…'}</span>
          </li>
        )}
        {!running && lines.length === 0 && <li className="text-zinc-500">No output.</li>}
      </ol>
    </div>
  );
}
