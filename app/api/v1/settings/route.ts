import { handle } from '@/lib/http/handler';
import { settingsOps } from '@/lib/settings/operations';
import { getSettings, updateSettings } from '@/lib/settings/service';

export const GET = handle(settingsOps.get, ({ actor }) => getSettings(actor));
export const PATCH = handle(settingsOps.update, ({ actor, body }) => updateSettings(actor, body));
