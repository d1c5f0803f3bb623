'use client';

import type { ReactNode } from 'react';
import { TextareaField } from '@/components/ui/textarea-field';

/**
 * A textarea for PEM text, with its error beside it. The key field is never refilled after a
 * failed submit (lib/http/action.ts does not echo secrets), so the admin pastes it again.
 */
export function PemField({ rows = 6, ...props }: { label: ReactNode; name: string; hint?: ReactNode; optional?: boolean; placeholder?: string; rows?: number }) {
  return <TextareaField rows={rows} autoComplete="off" textClass="font-mono text-xs leading-5" {...props} />;
}
