'use client';
import Checkbox from '@mui/material/Checkbox';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import InputLabel from '@mui/material/InputLabel';
import ListItemText from '@mui/material/ListItemText';
import MenuItem from '@mui/material/MenuItem';
import OutlinedInput from '@mui/material/OutlinedInput';
import Select from '@mui/material/Select';
import Stack from '@mui/material/Stack';
import { useId } from 'react';
import type { SettingsResponse } from '@/lib/api/contract';
import { useI18n } from '@/lib/ui/i18n/context';
import { ENTITIES, errorOf, type Entity, type FieldErrors, type SettingsForm } from './form';
import { SettingsSection } from './section';

export function StoresSection({
  form, onChange, errors, stores, disabled,
}: {
  form: SettingsForm;
  onChange: (patch: Partial<SettingsForm>) => void;
  errors: FieldErrors;
  stores: SettingsResponse['stores'];
  disabled: boolean;
}) {
  const { t } = useI18n();
  const s = t.settings.stores;
  const e = t.settings.entities;
  const labelId = useId();
  const storesError = errorOf(errors, 'storeIds');
  const entitiesError = errorOf(errors, 'enabledEntities');
  const names = new Map(stores.map((st) => [st.id, st.name]));
  // Keep stored ids that MoySklad no longer lists visible, so the admin can remove them.
  const options = [...stores, ...form.storeIds.filter((id) => !names.has(id)).map((id) => ({ id, name: id }))];

  const toggleEntity = (entity: Entity, on: boolean) =>
    onChange({ enabledEntities: ENTITIES.filter((x) => (x === entity ? on : form.enabledEntities.includes(x))) });

  return (
    <SettingsSection title={s.title} testId="settings-stores">
      <Stack spacing={2} sx={{ maxWidth: 520 }}>
        <FormControl error={Boolean(storesError)} disabled={disabled} fullWidth size="small" required>
          <InputLabel id={labelId}>{s.label}</InputLabel>
          <Select
            labelId={labelId}
            multiple
            name="storeIds"
            value={form.storeIds}
            onChange={(ev) => onChange({ storeIds: typeof ev.target.value === 'string' ? ev.target.value.split(',') : ev.target.value })}
            input={<OutlinedInput label={s.label} />}
            renderValue={(ids) => ids.map((id) => names.get(id) ?? id).join(', ')}
            data-testid="store-select"
          >
            {options.map((st) => (
              <MenuItem key={st.id} value={st.id} dense>
                <Checkbox size="small" checked={form.storeIds.includes(st.id)} sx={{ p: 0.5, mr: 1 }} />
                <ListItemText primary={st.name} />
              </MenuItem>
            ))}
          </Select>
          <FormHelperText>{storesError ?? (stores.length ? s.help : s.none)}</FormHelperText>
        </FormControl>

        <FormControl component="fieldset" error={Boolean(entitiesError)} disabled={disabled} required>
          <FormLabel component="legend" sx={{ fontSize: 13 }}>{e.title}</FormLabel>
          <FormGroup row>
            {ENTITIES.map((entity) => (
              <FormControlLabel
                key={entity}
                control={
                  <Checkbox
                    size="small"
                    name={`enabled-${entity}`}
                    checked={form.enabledEntities.includes(entity)}
                    onChange={(ev) => toggleEntity(entity, ev.target.checked)}
                  />
                }
                label={e[entity]}
              />
            ))}
          </FormGroup>
          <FormHelperText>{entitiesError ?? e.help}</FormHelperText>
        </FormControl>
      </Stack>
    </SettingsSection>
  );
}
