import { Icon } from '@/components/ui/icons';

export function Brand() {
  return (
    <span className="flex items-center gap-2 font-semibold tracking-tight">
      <span className="flex size-7 items-center justify-center rounded-md bg-indigo-600 text-white dark:bg-indigo-500">
        <Icon name="shield" className="size-4" />
      </span>
      Gatehouse
    </span>
  );
}
