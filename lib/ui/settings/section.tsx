'use client';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useId, type ReactNode } from 'react';
import type { FieldErrors, SettingsForm } from '@/lib/ui/settings/form';

export function SettingsSection({
  title,
  help,
  children,
  testId,
}: {
  title: string;
  help?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  const id = useId();
  return (
    <Paper component="section" variant="outlined" aria-labelledby={id} data-testid={testId} sx={{ p: 2 }}>
      <Typography id={id} component="h2" sx={{ fontSize: 15, fontWeight: 600, mb: help ? 0.25 : 1.5 }}>
        {title}
      </Typography>
      {help && <Typography sx={{ fontSize: 12, color: 'text.secondary', mb: 1.5 }}>{help}</Typography>}
      {children}
    </Paper>
  );
}

/** What every editable section gets from the page: the form, its change handler, the field errors. */
export interface SectionFieldProps {
  form: SettingsForm;
  onChange: (patch: Partial<SettingsForm>) => void;
  errors: FieldErrors;
  disabled: boolean;
}
