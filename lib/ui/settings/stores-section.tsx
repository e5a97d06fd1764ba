'use client';
import Checkbox from '@mui/material/Checkbox';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import type { SettingsResponse } from '@/lib/api/contract';
import { useI18n } from '@/lib/ui/i18n/context';
import { ENTITIES, errorOf, type Entity } from '@/lib/ui/settings/form';
import { SettingsSection, type SectionFieldProps } from '@/lib/ui/settings/section';

export function StoresSection({ form, onChange, errors, stores, disabled }: SectionFieldProps & { stores: SettingsResponse['stores'] }) {
  const { t } = useI18n();
  const s = t.settings.stores;
  const storesError = errorOf(errors, 'storeIds');
  const names = new Map(stores.map((st) => [st.id, st.name]));
  // Keep stored ids that MoySklad no longer lists visible, so the admin can remove them.
  const options = [...stores, ...form.storeIds.filter((id) => !names.has(id)).map((id) => ({ id, name: id }))];

  const toggleStore = (id: string, on: boolean) =>
    onChange({ storeIds: on ? [...form.storeIds.filter((x) => x !== id), id] : form.storeIds.filter((x) => x !== id) });

  return (
    <SettingsSection title={s.title} testId="settings-stores">
      <Stack spacing={2} sx={{ maxWidth: 520 }}>
        {/* Checkboxes rather than a drop-down: every store is visible at once, and nothing has to
            pop over an auto-height iframe whose visible part only the host knows. */}
        <FormControl component="fieldset" error={Boolean(storesError)} disabled={disabled} required data-testid="store-list">
          <FormLabel component="legend" sx={{ fontSize: 13 }}>
            {s.label}
          </FormLabel>
          <FormGroup sx={{ maxHeight: 320, overflowY: 'auto', flexWrap: 'nowrap' }}>
            {options.map((st) => (
              <FormControlLabel
                key={st.id}
                control={
                  <Checkbox
                    size="small"
                    name="storeIds"
                    value={st.id}
                    checked={form.storeIds.includes(st.id)}
                    onChange={(ev) => toggleStore(st.id, ev.target.checked)}
                  />
                }
                label={st.name}
              />
            ))}
          </FormGroup>
          <FormHelperText sx={{ mx: 0 }}>{storesError ?? (stores.length ? s.help : s.none)}</FormHelperText>
        </FormControl>

        <EntitiesField form={form} onChange={onChange} errors={errors} disabled={disabled} />
      </Stack>
    </SettingsSection>
  );
}

/** Which document types the app handles: always in the fixed ENTITIES order, whatever order they were ticked in. */
function EntitiesField({ form, onChange, errors, disabled }: SectionFieldProps) {
  const e = useI18n().t.settings.entities;
  const entitiesError = errorOf(errors, 'enabledEntities');
  const toggleEntity = (entity: Entity, on: boolean) =>
    onChange({ enabledEntities: ENTITIES.filter((x) => (x === entity ? on : form.enabledEntities.includes(x))) });
  return (
    <FormControl component="fieldset" error={Boolean(entitiesError)} disabled={disabled} required>
      <FormLabel component="legend" sx={{ fontSize: 13 }}>
        {e.title}
      </FormLabel>
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
      <FormHelperText sx={{ mx: 0 }}>{entitiesError ?? e.help}</FormHelperText>
      <EntitiesByDirection enabled={form.enabledEntities} />
    </FormControl>
  );
}

/** Which enabled types go into BetaPRO and which come out of it (docs/outbound.md): a move is both, by its stores. */
function EntitiesByDirection({ enabled }: { enabled: readonly Entity[] }) {
  const { t } = useI18n();
  const e = t.settings.entities;
  const directions = ['inbound', 'outbound'] as const;
  return (
    <Box
      component="dl"
      data-testid="entities-by-direction"
      aria-label={e.byDirection}
      sx={{ display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 1, rowGap: 0.25, m: 0, mt: 1, fontSize: 12 }}
    >
      {directions.map((direction) => {
        const types = Object.entries(e.directionTypes[direction]) as Array<[Entity, string]>;
        return (
          <Box key={direction} sx={{ display: 'contents' }} data-testid={`direction-${direction}`}>
            <Box component="dt" sx={{ color: 'text.secondary' }}>
              {t.widget.directions[direction]}:
            </Box>
            <Box component="dd" sx={{ m: 0 }}>
              {types.map(([entity, label], i) => (
                <Box
                  component="span"
                  key={entity}
                  data-entity={entity}
                  data-enabled={enabled.includes(entity) || undefined}
                  sx={{ color: enabled.includes(entity) ? 'text.primary' : 'text.secondary' }}
                >
                  {i > 0 && '; '}
                  {label}
                  {!enabled.includes(entity) && ` (${e.disabled})`}
                </Box>
              ))}
            </Box>
          </Box>
        );
      })}
    </Box>
  );
}
