'use client';

import { useActionState, useState } from 'react';
import type { SettingsDto } from '@/lib/settings/schemas';
import { Form, FormMessage, initialFormState, SubmitButton } from '@/components/ui/form';
import { saveTelegramAction, telegramTestAction } from '@/app/(console)/alerts/actions';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { Checkbox } from '@/components/ui/checkbox';
import { Field } from '@/components/ui/field';
import { Notice } from '@/components/ui/notice';
import { useToastedAction } from '@/components/ui/use-toasted-action';

const ENV: Record<string, string> = { botToken: 'TELEGRAM_BOT_TOKEN', chatId: 'TELEGRAM_CHAT_ID', threadId: 'TELEGRAM_THREAD_ID' };

/**
 * Settings → Telegram: where alert messages go. The bot token is write-only (the page only
 * knows whether one is saved); values set by environment variables are shown read-only.
 * "Send test message" posts to the chat at once and shows Telegram's answer here.
 */
export function TelegramSettings({ telegram, readOnly }: { telegram: SettingsDto['telegram']; readOnly: string[] }) {
  // A saved form is drawn afresh, so the typed token leaves the page (the field is write-only).
  const [generation, setGeneration] = useState(0);
  return <TelegramForm key={generation} telegram={telegram} readOnly={readOnly} onSaved={() => setGeneration((g) => g + 1)} />;
}

function TelegramForm({ telegram, readOnly, onSaved }: { telegram: SettingsDto['telegram']; readOnly: string[]; onSaved: () => void }) {
  const [state, dispatch] = useToastedAction(saveTelegramAction, { onSuccess: onSaved });
  const pinned = (key: string) => readOnly.includes(`telegram.${key}`);
  const envHint = (key: string) => `Set by the ${ENV[key]} environment variable; change it there.`;
  return (
    <Card
      title={
        <span id="telegram" className="flex items-center gap-2">
          Telegram
          <Badge tone={telegram.tokenSet && telegram.chatId ? (telegram.enabled ? 'green' : 'neutral') : 'amber'} dot>
            {telegram.tokenSet && telegram.chatId ? (telegram.enabled ? 'on' : 'off') : 'not set up'}
          </Badge>
        </span>
      }
      description="Alert messages go to one chat through your bot (create one with @BotFather). Servers are named by their Gatehouse name only; domains are masked."
    >
      <Form action={dispatch} state={state}>
        <FormMessage fieldNames={['botToken', 'chatId', 'threadId', 'enabled']} />
        <div className="grid gap-4 sm:grid-cols-2">
          <div className="space-y-2">
            <Field
              label={
                <span className="flex items-center gap-2">
                  Bot token <Badge tone={telegram.tokenSet ? 'green' : 'neutral'}>{telegram.tokenSet ? 'set' : 'not set'}</Badge>
                </span>
              }
              name="botToken"
              type="password"
              autoComplete="off"
              disabled={pinned('botToken')}
              placeholder={pinned('botToken') ? '(from the environment)' : telegram.tokenSet ? 'Saved — type a new one to replace it' : '123456789:ABC-def…'}
              hint={pinned('botToken') ? envHint('botToken') : 'Write-only: it is never shown again. Leave empty to keep the saved one.'}
            />
            {telegram.tokenSet && !pinned('botToken') && <Checkbox label="Remove the saved token" name="clearToken" />}
          </div>
          <Field
            label="Chat id"
            name="chatId"
            defaultValue={telegram.chatId ?? ''}
            disabled={pinned('chatId')}
            placeholder="-1001234567890 or @channel"
            hint={pinned('chatId') ? envHint('chatId') : 'A user, group (negative id) or @channel the bot may post to.'}
          />
          <Field
            label="Topic (message thread id)"
            name="threadId"
            type="number"
            min={1}
            optional
            defaultValue={telegram.threadId ?? ''}
            disabled={pinned('threadId')}
            hint={pinned('threadId') ? envHint('threadId') : 'Only for forum supergroups.'}
          />
        </div>
        <Checkbox label="Send alert messages" name="enabled" defaultChecked={telegram.enabled} hint="Off: incidents are still recorded, nothing is sent." />
        <SubmitButton>Save</SubmitButton>
      </Form>
      <div className="mt-5 border-t border-zinc-100 pt-4 dark:border-zinc-800">
        <TelegramTest />
      </div>
    </Card>
  );
}

/** The outcome shows beside the button (not as a toast): it is Telegram's answer the admin came for. */
function TelegramTest() {
  const [state, dispatch] = useActionState(telegramTestAction, initialFormState);
  return (
    <form action={dispatch} className="flex flex-col gap-3 sm:flex-row sm:items-center">
      <SubmitButton variant="secondary">Send test message</SubmitButton>
      <div aria-live="polite" className="min-w-0 flex-1">
        {state.message ? (
          <Notice tone={state.ok ? 'success' : 'error'}>{state.message}</Notice>
        ) : (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">Posts to the saved chat now, even while alert messages are off.</p>
        )}
      </div>
    </form>
  );
}
