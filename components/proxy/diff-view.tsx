import type { ConfigFileDto, FileDiffDto } from '@/lib/proxy/dto';
import { Badge } from '@/components/ui/badge';
import { cx } from '@/components/ui/cx';

const lineClass = (line: string) =>
  line.startsWith('+') && !line.startsWith('+++')
    ? 'bg-emerald-50 text-emerald-900 dark:bg-emerald-950/50 dark:text-emerald-200'
    : line.startsWith('-') && !line.startsWith('---')
      ? 'bg-red-50 text-red-900 dark:bg-red-950/50 dark:text-red-200'
      : line.startsWith('@@')
        ? 'text-sky-700 dark:text-sky-300'
        : 'text-zinc-700 dark:text-zinc-300';

const tone = { added: 'green', removed: 'red', changed: 'amber' } as const;

/** Unified diffs, one per file, with added and removed lines marked by colour and by their +/- sign. */
export function DiffView({ diffs, empty }: { diffs: FileDiffDto[]; empty: string }) {
  if (diffs.length === 0) return <p className="text-sm text-zinc-600 dark:text-zinc-400">{empty}</p>;
  return (
    <div className="space-y-4">
      {diffs.map((d) => (
        <section key={d.path} className="overflow-hidden rounded-lg ring-1 ring-zinc-200 dark:ring-zinc-800">
          <header className="flex items-center gap-2 bg-zinc-50 px-3 py-2 text-sm dark:bg-zinc-900">
            <code className="font-mono text-xs">{d.path}</code>
            <Badge tone={tone[d.status]}>{d.status}</Badge>
          </header>
          <pre className="max-h-96 overflow-auto bg-white py-2 font-mono text-xs leading-5 dark:bg-zinc-950">
            {d.patch.replace(/\n$/, '').split('\n').map((line, i) => (
              <div key={i} className={cx('px-3 whitespace-pre', lineClass(line))}>
                {line || ' '}
              </div>
            ))}
          </pre>
        </section>
      ))}
    </div>
  );
}

/** Rendered files, each folded under its name in the managed directory (the full path on hover). */
export function FileList({ files }: { files: ConfigFileDto[] }) {
  return (
    <div className="space-y-2">
      {files.map((f) => (
        <details key={f.path} className="group rounded-lg ring-1 ring-zinc-200 dark:ring-zinc-800">
          <summary className="flex cursor-pointer items-center justify-between gap-3 rounded-lg px-3 py-2 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-900">
            <code className="font-mono text-xs" title={f.path}>
              {f.name}
            </code>
            <span className="font-mono text-xs text-zinc-500 dark:text-zinc-400" title={`sha256 ${f.sha256}`}>
              {f.sha256.slice(0, 12)}
            </span>
          </summary>
          <pre className="max-h-[28rem] overflow-auto border-t border-zinc-100 bg-zinc-50 p-3 font-mono text-xs leading-5 dark:border-zinc-800 dark:bg-zinc-950">{f.content}</pre>
        </details>
      ))}
    </div>
  );
}
