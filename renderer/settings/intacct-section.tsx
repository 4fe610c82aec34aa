/**
 * Sage Intacct: Web Services sender, company and API user (intacct-xml.md §2), optional entity.
 */
import { NumberField, TextField } from '../components/fields';
import { ConnectionTest, type TestDraft } from './connection-test';
import { SecretField } from './secret-field';
import type { SectionProps } from './section-props';

/** The Intacct fieldset. */
export function IntacctSection({
  settings,
  edit,
  errors,
  secrets,
  setSecret,
  credentialStatus,
  draftForTest,
  onTested,
}: SectionProps & { draftForTest: () => TestDraft; onTested?: (ok: boolean) => void }) {
  const s = settings.intacct;
  return (
    <section className="card settings-section" aria-labelledby="sec-intacct">
      <h2 id="sec-intacct">Sage Intacct</h2>
      <p className="section-intro">The Web Services sender and a dedicated API user with read access to GL and AP.</p>
      <div className="grid-2">
        <TextField
          path="intacct.senderId"
          label="Sender ID"
          value={s.senderId}
          onChange={(v) => edit((d) => void (d.intacct.senderId = v))}
          error={errors['intacct.senderId']}
        />
        <SecretField
          name="intacctSenderPassword"
          label="Sender password"
          isSet={credentialStatus?.intacctSenderPassword}
          value={secrets.intacctSenderPassword ?? ''}
          onChange={(v) => setSecret('intacctSenderPassword', v)}
          error={errors['secrets.intacctSenderPassword']}
        />
        <TextField
          path="intacct.companyId"
          label="Company ID"
          value={s.companyId}
          onChange={(v) => edit((d) => void (d.intacct.companyId = v))}
          error={errors['intacct.companyId']}
        />
        <TextField
          path="intacct.entityId"
          label="Entity ID (optional)"
          value={s.entityId}
          onChange={(v) => edit((d) => void (d.intacct.entityId = v))}
          error={errors['intacct.entityId']}
          hint="Empty = the top level of a multi-entity company."
        />
        <TextField
          path="intacct.userId"
          label="User ID"
          value={s.userId}
          onChange={(v) => edit((d) => void (d.intacct.userId = v))}
          error={errors['intacct.userId']}
        />
        <SecretField
          name="intacctUserPassword"
          label="User password"
          isSet={credentialStatus?.intacctUserPassword}
          value={secrets.intacctUserPassword ?? ''}
          onChange={(v) => setSecret('intacctUserPassword', v)}
          error={errors['secrets.intacctUserPassword']}
        />
      </div>
      <details className="advanced" open={Boolean(errors['intacct.endpoint'] || errors['intacct.concurrency'] || errors['intacct.glBookId']) || undefined}>
        <summary>Advanced</summary>
        <div className="grid-2">
          <TextField
            path="intacct.endpoint"
            label="Gateway URL"
            type="url"
            value={s.endpoint}
            onChange={(v) => edit((d) => void (d.intacct.endpoint = v))}
            error={errors['intacct.endpoint']}
          />
          <NumberField
            path="intacct.concurrency"
            label="Requests in flight (1–2)"
            min={1}
            max={2}
            value={s.concurrency}
            onChange={(v) => edit((d) => void (d.intacct.concurrency = v))}
            error={errors['intacct.concurrency']}
          />
          <TextField
            path="intacct.glBookId"
            label="GL book"
            value={s.glBookId}
            onChange={(v) => edit((d) => void (d.intacct.glBookId = v))}
            error={errors['intacct.glBookId']}
          />
        </div>
      </details>
      <ConnectionTest side="intacct" draftForTest={draftForTest} {...(onTested ? { onResult: onTested } : {})} />
    </section>
  );
}
