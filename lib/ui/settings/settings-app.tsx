'use client';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Skeleton from '@mui/material/Skeleton';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useRef, useState, type Dispatch, type FormEvent, type SetStateAction } from 'react';
import useSWR, { type SWRResponse } from 'swr';
import type { CreateStatusesResponse, SettingsResponse } from '@/lib/api/contract';
import { ApiError, NetworkError, SessionExpiredError, type ApiClient } from '@/lib/ui/api-client';
import { localeFrom, type Messages } from '@/lib/ui/i18n';
import { I18nProvider, useI18n } from '@/lib/ui/i18n/context';
import { LoadFailed } from '@/lib/ui/load-failed';
import { SessionGate } from '@/lib/ui/session-gate';
import { useAppSession } from '@/lib/ui/use-app-session';
import { ConnectionSection } from '@/lib/ui/settings/connection-section';
import {
  formFromView,
  inputFromForm,
  missingFromForm,
  preselectStatuses,
  sameForm,
  validateForm,
  type Entity,
  type FieldErrors,
  type SettingsForm,
  type StatusRole,
} from '@/lib/ui/settings/form';
import { HealthSection } from '@/lib/ui/settings/health-section';
import { ProductKeySection, ReceiptSection } from '@/lib/ui/settings/policy-section';
import { ScenarioSection } from '@/lib/ui/settings/scenario-section';
import { StatusesSection } from '@/lib/ui/settings/statuses-section';
import { StoresSection } from '@/lib/ui/settings/stores-section';
import { TasksSection } from '@/lib/ui/settings/tasks-section';
import { useHeightReporter } from '@/lib/ui/settings/use-height-reporter';

export interface SettingsAppProps {
  contextKey?: string;
  userLocale?: string;
  allowedOrigins: string[];
}

function messageOf(error: unknown, network: string): string {
  if (error instanceof NetworkError) return network;
  return error instanceof Error ? error.message : String(error);
}

function SettingsSkeleton() {
  const { t } = useI18n();
  return (
    <Stack spacing={2} role="status" aria-busy="true" aria-label={t.common.loading} data-testid="settings-loading">
      {[160, 120, 200, 120].map((h, i) => (
        <Skeleton key={i} variant="rounded" height={h} />
      ))}
    </Stack>
  );
}

type SettingsSwr = SWRResponse<SettingsResponse>;
type SetForm = Dispatch<SetStateAction<SettingsForm | null>>;

/**
 * The settings as loaded and the form over them. New data from the server replaces the form only while
 * the admin has not changed anything.
 */
function useSettingsForm(client: ApiClient) {
  const settings = useSWR<SettingsResponse>('settings', () => client.get<SettingsResponse>('/api/settings'), {
    // Health changes while the page is open; the form itself is protected from refreshes below.
    refreshInterval: 30_000,
    revalidateOnFocus: false,
    shouldRetryOnError: (e) => !(e instanceof ApiError && e.status < 500),
  });
  const data = settings.data;

  const [form, setForm] = useState<SettingsForm | null>(null);
  const [pristine, setPristine] = useState<SettingsForm | null>(null);
  const [loadedFrom, setLoadedFrom] = useState<SettingsResponse | null>(null);
  if (data && data !== loadedFrom) {
    setLoadedFrom(data);
    if (!form || !pristine || sameForm(form, pristine)) {
      const fresh = formFromView(data.settings);
      setForm(fresh);
      setPristine(fresh);
    }
  }
  /** After a save: the saved settings are the new baseline. */
  const reset = (saved: SettingsResponse) => {
    const fresh = formFromView(saved.settings);
    setForm(fresh);
    setPristine(fresh);
    setLoadedFrom(saved);
  };
  return { settings, data, form, setForm, pristine, reset };
}

function useSave(client: ApiClient, settings: SettingsSwr, form: SettingsForm | null, reset: (saved: SettingsResponse) => void) {
  const { t } = useI18n();
  const s = t.settings;
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const [banner, setBanner] = useState<Banner | null>(null);

  async function save(event: FormEvent) {
    event.preventDefault();
    const data = settings.data;
    if (!form || !data) return;
    const found = validateForm(form, storedPasswordApplies(form, data), s.errors);
    setErrors(found);
    if (Object.keys(found).length) {
      setBanner({ severity: 'error', title: s.saveFailed, text: s.fixErrors });
      return;
    }
    setSaving(true);
    setBanner(null);
    try {
      const saved = await client.put<SettingsResponse>('/api/settings', inputFromForm(form));
      reset(saved);
      await settings.mutate(saved, { revalidate: false });
      setBanner({ severity: 'success', title: s.saved });
    } catch (error) {
      if (error instanceof SessionExpiredError) return;
      if (error instanceof ApiError) setErrors(error.fieldErrors);
      setBanner({ severity: 'error', title: s.saveFailed, text: messageOf(error, t.common.network) });
    } finally {
      setSaving(false);
    }
  }
  return { errors, setErrors, saving, banner, setBanner, save };
}

function useCreateStatuses(client: ApiClient, settings: SettingsSwr, setForm: SetForm) {
  const { t } = useI18n();
  const s = t.settings;
  const [creating, setCreating] = useState<Entity | null>(null);
  const [createResult, setCreateResult] = useState<{ entity: Entity; ok: boolean; message: string } | null>(null);

  async function createStatuses(entity: Entity) {
    setCreating(entity);
    setCreateResult(null);
    try {
      const answer = await client.post<CreateStatusesResponse>('/api/settings/create-statuses', { entity });
      const states = { supply: answer.supply, move: answer.move, purchasereturn: answer.purchasereturn };
      await settings.mutate((current) => (current ? { ...current, states } : current), { revalidate: false });
      setForm((f) => (f ? { ...f, statuses: { ...f.statuses, [entity]: preselectStatuses(f.statuses[entity], states[entity]) } } : f));
      const names = (roles: readonly StatusRole[]) => roles.map((r) => `«${s.statuses.roles[r]}»`).join(', ');
      const message =
        [
          answer.created.length ? s.statuses.createdList(names(answer.created)) : '',
          answer.existing.length ? s.statuses.existingList(names(answer.existing)) : '',
        ]
          .filter(Boolean)
          .join(' ') || s.statuses.created;
      setCreateResult({ entity, ok: true, message });
    } catch (error) {
      if (error instanceof SessionExpiredError) return;
      setCreateResult({
        entity,
        ok: false,
        message: `${s.statuses.createFailed}: ${messageOf(error, t.common.network)}`,
      });
    } finally {
      setCreating(null);
    }
  }
  return { creating, createResult, createStatuses };
}

type Banner = { severity: 'success' | 'error'; title: string; text?: string };

// eslint-disable-next-line max-lines-per-function -- the page frame: hooks are separate (useSettingsForm, useSave, useCreateStatuses); what remains is layout
function SettingsEditor({ client }: { client: ApiClient }) {
  const { t } = useI18n();
  const s = t.settings;
  const { settings, data, form, setForm, pristine, reset } = useSettingsForm(client);
  const { errors, setErrors, saving, banner, setBanner, save } = useSave(client, settings, form, reset);
  const { creating, createResult, createStatuses } = useCreateStatuses(client, settings, setForm);

  if (!data || !form) {
    if (settings.error && !(settings.error instanceof SessionExpiredError)) {
      return <LoadFailed message={messageOf(settings.error, t.common.network)} onRetry={() => void settings.mutate()} />;
    }
    return <SettingsSkeleton />;
  }

  const disabled = !data.canEdit || saving;
  const dirty = pristine ? !sameForm(form, pristine) : false;
  // The checklist follows the form as it is edited (only an admin edits; others see the saved state).
  const missing = missingFromForm(form, storedPasswordApplies(form, data), s);

  const change = (patch: Partial<SettingsForm>) => {
    setForm((f) => (f ? { ...f, ...patch } : f));
    setErrors((errs) => withoutFieldErrors(errs, patch));
  };

  return (
    <Box component="form" onSubmit={(e) => void save(e)} noValidate aria-label={s.title}>
      <Stack spacing={2}>
        {!data.canEdit && (
          <Alert severity="info" data-testid="read-only">
            {s.readOnly}
          </Alert>
        )}
        <Completeness missing={missing} complete={data.settings.complete && !dirty} />
        <ConnectionSection
          form={form}
          onChange={change}
          errors={errors}
          hasPassword={storedPasswordApplies(form, data)}
          disabled={disabled}
          client={client}
        />
        <StoresSection form={form} onChange={change} errors={errors} stores={data.stores} disabled={disabled} />
        <StatusesSection
          form={form}
          onChange={change}
          errors={errors}
          states={data.states}
          canCreate={data.canCreateStatuses}
          disabled={disabled}
          creating={creating}
          createResult={createResult}
          onCreate={(e) => void createStatuses(e)}
        />
        <ProductKeySection form={form} onChange={change} disabled={disabled} />
        <ReceiptSection form={form} onChange={change} errors={errors} disabled={disabled} />
        <TasksSection form={form} onChange={change} disabled={disabled} employees={data.employees} canCreateTasks={data.canCreateTasks} />
        {data.canEdit && <SaveBar saving={saving} dirty={dirty} />}
        {banner && (
          <Alert severity={banner.severity} role="alert" data-testid="save-result" onClose={() => setBanner(null)}>
            <AlertTitle sx={{ mb: banner.text ? undefined : 0 }}>{banner.title}</AlertTitle>
            {banner.text}
          </Alert>
        )}
        <ScenarioSection help={data.scenarioHelp} />
        <HealthSection health={data.health} canEdit={data.canEdit} client={client} onRefresh={() => void settings.mutate()} />
      </Stack>
    </Box>
  );
}

/** A corrected field loses its message at once; the rest stay until the next save. */
function withoutFieldErrors(errs: FieldErrors, patch: Partial<SettingsForm>): FieldErrors {
  const next = { ...errs };
  for (const key of Object.keys(patch)) {
    for (const k of Object.keys(next)) if (k === key || k.startsWith(`${key}.`)) delete next[k];
  }
  return next;
}

function Completeness({ missing, complete }: { missing: string[]; complete: boolean }) {
  const s = useI18n().t.settings;
  if (missing.length > 0) {
    return (
      <Alert severity="warning" data-testid="settings-missing">
        <AlertTitle>{s.incomplete}</AlertTitle>
        <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
          {missing.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </Box>
      </Alert>
    );
  }
  return complete ? (
    <Alert severity="success" data-testid="settings-complete">
      {s.complete}
    </Alert>
  ) : (
    <Alert severity="info" data-testid="settings-ready">
      {s.readyToSave}
    </Alert>
  );
}

function SaveBar({ saving, dirty }: { saving: boolean; dirty: boolean }) {
  const s = useI18n().t.settings;
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
      <Button
        type="submit"
        variant="contained"
        size="medium"
        disabled={saving}
        startIcon={saving ? <CircularProgress size={14} color="inherit" /> : undefined}
        data-testid="save-settings"
      >
        {saving ? s.saving : s.save}
      </Button>
      {dirty && <Typography sx={{ fontSize: 12, color: 'warning.dark' }}>{s.unsaved}</Typography>}
    </Box>
  );
}

function SettingsBody({ contextKey, userLocale }: SettingsAppProps) {
  const { t } = useI18n();
  const { state, retry } = useAppSession(contextKey, userLocale);
  return (
    <SessionGate state={state} onRetry={retry} expiredText={t.common.sessionExpiredSettings} loading={<SettingsSkeleton />}>
      {state.status === 'ready' && <SettingsEditor client={state.client} />}
    </SessionGate>
  );
}

const titleOf = (t: Messages) => t.settings.title;

export function SettingsApp(props: SettingsAppProps) {
  const locale = localeFrom(props.userLocale);
  const root = useRef<HTMLDivElement>(null);
  useHeightReporter(root, props.allowedOrigins);
  return (
    <I18nProvider locale={locale} title={titleOf}>
      <Box ref={root} lang={locale} sx={{ maxWidth: 880, mx: 'auto', px: 2, py: 2 }}>
        <SettingsHeader />
        <SettingsBody {...props} />
      </Box>
    </I18nProvider>
  );
}

function SettingsHeader() {
  const { t } = useI18n();
  return (
    <Box sx={{ mb: 2 }}>
      <Typography component="h1" sx={{ fontSize: 20, fontWeight: 600 }}>
        {t.settings.title}
      </Typography>
      <Typography sx={{ fontSize: 13, color: 'text.secondary' }}>{t.settings.intro}</Typography>
    </Box>
  );
}

/** The stored password is used only with the address it was saved for; a new address needs it typed. */
function storedPasswordApplies(form: { betaproBaseUrl: string }, data: SettingsResponse): boolean {
  const trim = (url: string | undefined) => (url ?? '').trim().replace(/\/+$/, '');
  return data.settings.hasPassword && trim(form.betaproBaseUrl) === trim(data.settings.betaproBaseUrl);
}
