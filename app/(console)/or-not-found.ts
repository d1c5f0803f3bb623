import { notFound } from 'next/navigation';
import { NotFoundError } from '@/lib/errors';

/** A detail page's record: not shared with this user, or gone, is the same 404 either way. */
export async function orNotFound<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof NotFoundError) notFound();
    throw err;
  }
}
