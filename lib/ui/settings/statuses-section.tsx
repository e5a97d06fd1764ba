'use client';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import FormHelperText from '@mui/material/FormHelperText';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { SettingsResponse } from '@/lib/api/contract';
import { useI18n } from '@/lib/ui/i18n/context';
import { errorOf, OPTIONAL_STATUS_ROLES, STATUS_ROLES, type Entity, type StatusRole } from '@/lib/ui/settings/form';
import { SettingsSection, type SectionFieldProps } from '@/lib/ui/settings/section';

/** MoySklad stores colours as ARGB integers. */
function colorOf(argb: number | undefined): string {
  return argb === undefined ? 'transparent' : `#${(argb & 0xffffff).toString(16).padStart(6, '0')}`;
}

function Dot({ color }: { color: number | undefined }) {
  return (
    <Box
      component="span"
      aria-hidden
      sx={{
        display: 'inline-block',
        width: 10,
        height: 10,
        borderRadius: '50%',
        bgcolor: colorOf(color),
        border: 1,
        borderColor: 'divider',
        mr: 1,
        flex: 'none',
      }}
    />
  );
}

/**
 * A native <select>: the page lives in an auto-height iframe, where the visible part is decided by the
 * host's scroll position; the browser's own drop-down is always shown on screen, a popover may not be.
 */
function StatusSelect({
  entity,
  role,
  value,
  options,
  error,
  disabled,
  onChange,
}: {
  entity: Entity;
  role: StatusRole;
  value: string | null;
  options: SettingsResponse['states']['supply'];
  error?: string;
  disabled: boolean;
  onChange: (id: string | null) => void;
}) {
  const { t } = useI18n();
  const st = t.settings.statuses;
  const selected = options.find((o) => o.id === value);
  const optional = (OPTIONAL_STATUS_ROLES as readonly string[]).includes(role);
  return (
    <TextField
      select
      label={st.roles[role]}
      name={`statuses.${entity}.${role}`}
      value={value ?? ''}
      onChange={(e) => onChange(e.target.value ? e.target.value : null)}
      error={Boolean(error)}
      helperText={error ?? (optional ? st.reviewHelp : undefined)}
      disabled={disabled}
      required={!optional}
      fullWidth
      slotProps={{
        select: { native: true },
        inputLabel: { shrink: true },
        htmlInput: { 'data-testid': `status-${entity}-${role}` },
        input: { startAdornment: selected ? <Dot color={selected.color} /> : undefined },
      }}
    >
      <option value="">{st.notSelected}</option>
      {options.map((o) => (
        <option key={o.id} value={o.id}>
          {o.name}
        </option>
      ))}
      {value && !selected && <option value={value}>{value}</option>}
    </TextField>
  );
}

interface StatusesProps extends SectionFieldProps {
  states: SettingsResponse['states'];
  canCreate: boolean;
  creating: Entity | null;
  createResult: { entity: Entity; ok: boolean; message: string } | null;
  onCreate: (entity: Entity) => void;
}

export function StatusesSection(props: StatusesProps) {
  const { form, errors, canCreate } = props;
  const st = useI18n().t.settings.statuses;
  return (
    <SettingsSection title={st.title} help={st.help} testId="settings-statuses">
      {form.enabledEntities.map((entity) => (
        <EntityStatuses key={entity} entity={entity} {...props} />
      ))}
      {!canCreate && <Typography sx={{ fontSize: 12, color: 'text.secondary' }}>{st.createHelpManual}</Typography>}
      {errorOf(errors, 'statuses') && !STATUS_ROLES.some((r) => form.enabledEntities.some((e) => errors[`statuses.${e}.${r}`])) && (
        <FormHelperText error>{errorOf(errors, 'statuses')}</FormHelperText>
      )}
    </SettingsSection>
  );
}

/** One document type: its «create statuses» button, a select per role, the result of creating them. */
function EntityStatuses({
  entity,
  form,
  onChange,
  errors,
  states,
  canCreate,
  disabled,
  creating,
  createResult,
  onCreate,
}: StatusesProps & { entity: Entity }) {
  const st = useI18n().t.settings.statuses;
  const setRole = (role: StatusRole, id: string | null) =>
    onChange({ statuses: { ...form.statuses, [entity]: { ...form.statuses[entity], [role]: id } } });
  return (
    <Box sx={{ mb: 2 }} data-testid={`statuses-${entity}`}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mb: 1 }}>
        <Typography component="h3" sx={{ fontSize: 13, fontWeight: 600 }}>
          {st.entity[entity]}
        </Typography>
        {canCreate && (
          <Button
            size="small"
            onClick={() => onCreate(entity)}
            disabled={disabled || creating !== null}
            startIcon={creating === entity ? <CircularProgress size={12} color="inherit" /> : undefined}
            data-testid={`create-statuses-${entity}`}
          >
            {creating === entity ? st.creating : st.create}
          </Button>
        )}
      </Box>
      {states[entity].length === 0 && <Typography sx={{ fontSize: 12, color: 'text.secondary', mb: 1 }}>{st.noStates}</Typography>}
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' }, gap: 1.5, maxWidth: 720 }}>
        {[...STATUS_ROLES, ...OPTIONAL_STATUS_ROLES].map((role) => (
          <StatusSelect
            key={role}
            entity={entity}
            role={role}
            value={form.statuses[entity][role] ?? null}
            options={states[entity]}
            error={errorOf(errors, `statuses.${entity}.${role}`)}
            disabled={disabled}
            onChange={(id) => setRole(role, id)}
          />
        ))}
      </Box>
      {createResult?.entity === entity && (
        <Alert severity={createResult.ok ? 'success' : 'error'} sx={{ mt: 1 }} role="status">
          {createResult.message}
        </Alert>
      )}
    </Box>
  );
}
