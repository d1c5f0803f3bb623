import { handle } from '@/lib/http/handler';
import { settingsOps } from '@/lib/settings/operations';
import { sendTelegramTest } from '@/lib/alerts/telegram-test';

export const POST = handle(settingsOps.telegramTest, ({ actor }) => sendTelegramTest(actor));
