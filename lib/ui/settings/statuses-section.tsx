'use client';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import FormControl from '@mui/material/FormControl';
import FormHelperText from '@mui/material/FormHelperText';
import InputLabel from '@mui/material/InputLabel';
import MenuItem from '@mui/material/MenuItem';
import Select from '@mui/material/Select';
import Typography from '@mui/material/Typography';
import { useId } from 'react';
import type { SettingsResponse } from '@/lib/api/contract';
import { useI18n } from '@/lib/ui/i18n/context';
import { errorOf, STATUS_ROLES, type Entity, type FieldErrors, type SettingsForm, type StatusRole } from './form';
import { SettingsSection } from './section';

/** MoySklad stores colours as ARGB integers. */
function colorOf(argb: number | undefined): string {
  return argb === undefined ? 'transparent' : `#${(argb & 0xffffff).toString(16).padStart(6, '0')}`;
}

function Dot({ color }: { color: number | undefined }) {
  return <Box component="span" aria-hidden sx={{ display: 'inline-block', width: 10, height: 10, borderRadius: '50%', bgcolor: colorOf(color), border: 1, borderColor: 'divider', mr: 1, flex: 'none' }} />;
}

function StatusSelect({
  entity, role, value, options, error, disabled, onChange,
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
  const labelId = useId();
  const st = t.settings.statuses;
  const known = options.some((o) => o.id === value);
  return (
    <FormControl size="small" error={Boolean(error)} disabled={disabled} fullWidth required>
      <InputLabel id={labelId}>{st.roles[role]}</InputLabel>
      <Select
        labelId={labelId}
        label={st.roles[role]}
        name={`statuses.${entity}.${role}`}
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value ? String(e.target.value) : null)}
        data-testid={`status-${entity}-${role}`}
      >
        <MenuItem value=""><em>{st.notSelected}</em></MenuItem>
        {options.map((o) => (
          <MenuItem key={o.id} value={o.id}><Dot color={o.color} />{o.name}</MenuItem>
        ))}
        {value && !known && <MenuItem value={value}>{value}</MenuItem>}
      </Select>
      {error && <FormHelperText>{error}</FormHelperText>}
    </FormControl>
  );
}

export function StatusesSection({
  form, onChange, errors, states, canCreate, disabled, creating, createResult, onCreate,
}: {
  form: SettingsForm;
  onChange: (patch: Partial<SettingsForm>) => void;
  errors: FieldErrors;
  states: SettingsResponse['states'];
  canCreate: boolean;
  disabled: boolean;
  creating: Entity | null;
  createResult: { entity: Entity; ok: boolean; message: string } | null;
  onCreate: (entity: Entity) => void;
}) {
  const { t } = useI18n();
  const st = t.settings.statuses;
  const setRole = (entity: Entity, role: StatusRole, id: string | null) =>
    onChange({ statuses: { ...form.statuses, [entity]: { ...form.statuses[entity], [role]: id } } });

  return (
    <SettingsSection title={st.title} help={st.help} testId="settings-statuses">
      {form.enabledEntities.map((entity) => (
        <Box key={entity} sx={{ mb: 2 }} data-testid={`statuses-${entity}`}>
          <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mb: 1 }}>
            <Typography component="h3" sx={{ fontSize: 13, fontWeight: 600 }}>{st.entity[entity]}</Typography>
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
          {states[entity].length === 0 && (
            <Typography sx={{ fontSize: 12, color: 'text.secondary', mb: 1 }}>{st.noStates}</Typography>
          )}
          <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' }, gap: 1.5, maxWidth: 720 }}>
            {STATUS_ROLES.map((role) => (
              <StatusSelect
                key={role}
                entity={entity}
                role={role}
                value={form.statuses[entity][role]}
                options={states[entity]}
                error={errorOf(errors, `statuses.${entity}.${role}`)}
                disabled={disabled}
                onChange={(id) => setRole(entity, role, id)}
              />
            ))}
          </Box>
          {createResult?.entity === entity && (
            <Alert severity={createResult.ok ? 'success' : 'error'} sx={{ mt: 1 }} role="status">{createResult.message}</Alert>
          )}
        </Box>
      ))}
      {!canCreate && <Typography sx={{ fontSize: 12, color: 'text.secondary' }}>{st.createHelpManual}</Typography>}
      {errorOf(errors, 'statuses') && !STATUS_ROLES.some((r) => form.enabledEntities.some((e) => errors[`statuses.${e}.${r}`])) && (
        <FormHelperText error>{errorOf(errors, 'statuses')}</FormHelperText>
      )}
    </SettingsSection>
  );
}
