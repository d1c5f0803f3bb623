import { AppError } from '../errors';
import type { Checked } from './grammar';

/**
 * Rendering refused to write a file: a stored value fails the grammar, a reference is missing, or
 * a template does not render. `field` names the offending value, e.g. `domains.app.example.com.aliases`.
 */
export class ConfigRenderError extends AppError {
  constructor(
    message: string,
    readonly field?: string,
    readonly line?: number | null,
  ) {
    super(422, 'config_invalid', message, field ? { [field]: [message] } : undefined, line ? { line } : undefined);
  }
}

/** Unwraps a grammar check during rendering, throwing ConfigRenderError for a failed one. */
export function must<T>(r: Checked<T>, field: string): T {
  if (!r.ok) throw new ConfigRenderError(`${field}: ${r.message}`, field);
  return r.value;
}
