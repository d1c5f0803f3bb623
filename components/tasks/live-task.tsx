'use client';

import { useEffect, useState } from 'react';
import type { TaskDto } from '@/lib/tasks/schemas';
import { fetchJson } from '@/components/realtime/fetch-json';
import { TaskLog, type LogLine } from './task-log';

/**
 * A task's live log by id, once its first state has been read: for the modals that start a task
 * and follow it (the task page renders TaskLog with what the server read).
 */
export function LiveTask({ taskId, onFinished }: { taskId: string; onFinished?: (status: TaskDto['status']) => void }) {
  const [initial, setInitial] = useState<{ task: TaskDto; lines: LogLine[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all([fetchJson<TaskDto>(`/api/v1/tasks/${taskId}`), fetchJson<{ lines: LogLine[] }>(`/api/v1/tasks/${taskId}/logs?limit=5000`)]).then(
      ([task, logs]) => live && setInitial({ task, lines: logs.lines }),
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, [taskId]);
  if (error) return <p className="text-sm text-red-700 dark:text-red-400">{error}</p>;
  if (!initial) return <p className="text-sm text-zinc-500">Loading the task…</p>;
  return <TaskLog initialTask={initial.task} initialLines={initial.lines} onFinished={onFinished} />;
}
