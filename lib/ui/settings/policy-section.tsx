'use client';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import type { ReactNode } from 'react';
import { useI18n } from '@/lib/ui/i18n/context';
import { errorOf, type SettingsForm } from '@/lib/ui/settings/form';
import { SettingsSection, type SectionFieldProps } from '@/lib/ui/settings/section';

// px, not 1: in sx a bare 1 means 100 %.
const HIDDEN = {
  position: 'absolute',
  width: '1px',
  height: '1px',
  margin: '-1px',
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
} as const;

function Choice<V extends string>({
  label,
  name,
  value,
  options,
  onChange,
  disabled,
  help,
  hideLegend,
  row,
}: {
  label: string;
  name: string;
  value: V;
  options: Array<{ value: V; label: string }>;
  onChange: (v: V) => void;
  disabled: boolean;
  help?: ReactNode;
  /** The section title already names the choice: keep the legend for screen readers only. */
  hideLegend?: boolean;
  row?: boolean;
}) {
  return (
    <FormControl component="fieldset" disabled={disabled}>
      <FormLabel component="legend" sx={hideLegend ? HIDDEN : { fontSize: 13 }}>
        {label}
      </FormLabel>
      <RadioGroup row={row} name={name} value={value} onChange={(e) => onChange(e.target.value as V)}>
        {options.map((o) => (
          <FormControlLabel
            key={o.value}
            value={o.value}
            control={<Radio size="small" />}
            label={o.label}
            sx={{ '& .MuiFormControlLabel-label': { fontSize: 13 } }}
          />
        ))}
      </RadioGroup>
      {help && <FormHelperText sx={{ mx: 0 }}>{help}</FormHelperText>}
    </FormControl>
  );
}

export function ProductKeySection({
  form,
  onChange,
  disabled,
}: {
  form: SettingsForm;
  onChange: (p: Partial<SettingsForm>) => void;
  disabled: boolean;
}) {
  const { t } = useI18n();
  const k = t.settings.productKey;
  return (
    <SettingsSection title={k.title} help={k.help} testId="settings-product-key">
      <Choice
        label={k.title}
        name="productKey"
        hideLegend
        row
        value={form.productKey}
        onChange={(productKey) => onChange({ productKey })}
        disabled={disabled}
        options={[
          { value: 'article', label: k.article },
          { value: 'code', label: k.code },
          { value: 'externalCode', label: k.externalCode },
        ]}
      />
    </SettingsSection>
  );
}

type PolicyField = 'partialPolicy' | 'defectivePolicy' | 'postingMode';

export function ReceiptSection({ form, onChange, errors, disabled }: SectionFieldProps) {
  const { t } = useI18n();
  const r = t.settings.receipt;
  const choice = <K extends PolicyField>(name: K, label: string, options: Array<[SettingsForm[K], string]>) => (
    <Choice
      label={label}
      name={name}
      value={form[name]}
      onChange={(value) => onChange({ [name]: value })}
      disabled={disabled}
      options={options.map(([value, text]) => ({ value, label: text }))}
    />
  );
  return (
    <SettingsSection title={r.title} testId="settings-receipt">
      <Stack spacing={2}>
        {choice('partialPolicy', r.partialLabel, [
          ['final', r.partialFinal],
          ['progressive', r.partialProgressive],
        ])}
        {choice('defectivePolicy', r.defectiveLabel, [
          ['received', r.defectiveReceived],
          ['excluded', r.defectiveExcluded],
        ])}
        {choice('postingMode', r.postingLabel, [
          ['auto', r.postingAuto],
          ['review', r.postingReview],
        ])}
        <PollIntervalField form={form} onChange={onChange} errors={errors} disabled={disabled} />
      </Stack>
    </SettingsSection>
  );
}

function PollIntervalField({ form, onChange, errors, disabled }: SectionFieldProps) {
  const r = useI18n().t.settings.receipt;
  const pollError = errorOf(errors, 'pollIntervalSec');
  return (
    <TextField
      label={r.pollLabel}
      name="pollIntervalSec"
      type="number"
      value={form.pollIntervalSec}
      onChange={(e) => onChange({ pollIntervalSec: e.target.value })}
      error={Boolean(pollError)}
      helperText={pollError ?? r.pollHelp}
      disabled={disabled}
      required
      sx={{ maxWidth: 260 }}
      slotProps={{ htmlInput: { min: 15, max: 86400, step: 1, inputMode: 'numeric' } }}
    />
  );
}
