/**
 * Where alerts go besides the desktop notification: email through the team's SMTP server and a
 * Teams or Slack incoming webhook. The SMTP password and the webhook address are secrets (the
 * keychain): write-only boxes like the other passwords.
 */
import { useEffect, useState } from 'react';
import { NumberField, SelectField, TextField } from '../components/fields';
import type { Settings } from '../../shared/types';
import { SecretField } from './secret-field';
import { SendTestAlert } from './send-test-alert';
import { firstError, type SectionProps } from './section-props';

const splitAddresses = (text: string) => text.split(/[,;\s]+/).filter(Boolean);

/** The email and webhook fields, and "Send test alert". */
export function AlertChannels({ settings, edit, errors, secrets, setSecret, credentialStatus }: SectionProps) {
  const mail = settings.alerts.email;
  // The recipients box keeps what is typed (a trailing comma included); the settings hold the list.
  const [toText, setToText] = useState(mail.to.join(', '));
  useEffect(() => {
    if (splitAddresses(toText).join(',') !== mail.to.join(',')) setToText(mail.to.join(', '));
  }, [mail.to, toText]);
  const setEmail = (change: (e: Settings['alerts']['email']) => void) => edit((d) => change(d.alerts.email));
  const webhook = settings.alerts.webhook.kind;
  return (
    <>
      <h3>Email</h3>
      <div className="grid-2">
        <TextField
          path="alerts.email.host"
          label="SMTP server (empty = no email)"
          value={mail.host}
          placeholder="smtp.office365.com"
          onChange={(v) => setEmail((e) => void (e.host = v.trim()))}
          error={errors['alerts.email.host']}
        />
        <NumberField
          path="alerts.email.port"
          label="Port"
          min={1}
          max={65535}
          value={mail.port}
          onChange={(v) => setEmail((e) => void (e.port = v))}
          error={errors['alerts.email.port']}
        />
        <SelectField
          path="alerts.email.security"
          label="Encryption"
          value={mail.security}
          options={[
            { value: 'starttls', label: 'STARTTLS (usually port 587)' },
            { value: 'tls', label: 'TLS (usually port 465)' },
            { value: 'none', label: 'None (a relay on this computer only)' },
          ]}
          onChange={(v) => setEmail((e) => void (e.security = v))}
          error={errors['alerts.email.security']}
        />
        <TextField
          path="alerts.email.user"
          label="SMTP user (empty = no sign-in)"
          value={mail.user}
          autoComplete="off"
          onChange={(v) => setEmail((e) => void (e.user = v.trim()))}
          error={errors['alerts.email.user']}
        />
        <SecretField
          name="smtpPassword"
          label="SMTP password"
          isSet={credentialStatus?.smtpPassword}
          value={secrets.smtpPassword ?? ''}
          onChange={(v) => setSecret('smtpPassword', v)}
          error={errors['secrets.smtpPassword']}
        />
        <TextField
          path="alerts.email.from"
          label="Sender"
          type="text"
          value={mail.from}
          placeholder="alerts@example.com"
          onChange={(v) => setEmail((e) => void (e.from = v.trim()))}
          error={errors['alerts.email.from']}
        />
      </div>
      <TextField
        path="alerts.email.to"
        label="Recipients"
        value={toText}
        placeholder="controller@example.com, finance-systems@example.com"
        hint="Separate addresses with commas."
        onChange={(v) => {
          setToText(v);
          setEmail((e) => void (e.to = splitAddresses(v)));
        }}
        error={firstError(errors, 'alerts.email.to')}
      />
      <h3>Teams or Slack</h3>
      <div className="grid-2">
        <SelectField
          path="alerts.webhook.kind"
          label="Incoming webhook"
          value={webhook}
          options={[
            { value: 'off', label: 'Off' },
            { value: 'teams', label: 'Microsoft Teams' },
            { value: 'slack', label: 'Slack' },
          ]}
          onChange={(v) => edit((d) => void (d.alerts.webhook.kind = v))}
          error={errors['alerts.webhook.kind']}
        />
        {webhook !== 'off' ? (
          <SecretField
            name="alertWebhookUrl"
            label="Webhook address"
            isSet={credentialStatus?.alertWebhookUrl}
            value={secrets.alertWebhookUrl ?? ''}
            onChange={(v) => setSecret('alertWebhookUrl', v.trim())}
            error={errors['secrets.alertWebhookUrl']}
          />
        ) : null}
      </div>
      <SendTestAlert
        draftForTest={() => ({
          draft: settings,
          secrets: {
            ...(secrets.smtpPassword ? { smtpPassword: secrets.smtpPassword } : {}),
            ...(secrets.alertWebhookUrl ? { alertWebhookUrl: secrets.alertWebhookUrl } : {}),
          },
        })}
      />
    </>
  );
}
