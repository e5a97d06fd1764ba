'use client';
import Alert from '@mui/material/Alert';
import FormControlLabel from '@mui/material/FormControlLabel';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import type { SettingsResponse } from '@/lib/api/contract';
import { useI18n } from '@/lib/ui/i18n/context';
import { SettingsSection, type SectionFieldProps } from '@/lib/ui/settings/section';

/**
 * Discrepancy tasks (docs/discrepancy-tasks.md): on/off and who gets them. The assignee is a native
 * <select>, like the statuses: the browser's own drop-down stays on screen in the auto-height iframe.
 */
export function TasksSection({
  form,
  onChange,
  disabled,
  employees,
  canCreateTasks,
}: Omit<SectionFieldProps, 'errors'> & { employees: SettingsResponse['employees']; canCreateTasks: boolean }) {
  const k = useI18n().t.settings.tasks;
  const known = employees.some((e) => e.id === form.taskAssigneeId);
  return (
    <SettingsSection title={k.title} help={k.help} testId="settings-tasks">
      <Stack spacing={2} sx={{ maxWidth: 520 }}>
        {!canCreateTasks && (
          <Alert severity="warning" data-testid="tasks-no-admin-scope">
            {k.noAdminScope}
          </Alert>
        )}
        <FormControlLabel
          control={
            <Switch
              name="discrepancyTasks"
              checked={form.discrepancyTasks}
              onChange={(e) => onChange({ discrepancyTasks: e.target.checked })}
              slotProps={{ input: { 'data-testid': 'tasks-enabled' } as object }}
            />
          }
          label={k.enabled}
          disabled={disabled}
        />
        <TextField
          select
          label={k.assigneeLabel}
          name="taskAssigneeId"
          value={form.taskAssigneeId}
          onChange={(e) => onChange({ taskAssigneeId: e.target.value })}
          helperText={k.assigneeHelp}
          disabled={disabled || !form.discrepancyTasks}
          fullWidth
          slotProps={{
            select: { native: true },
            inputLabel: { shrink: true },
            htmlInput: { 'data-testid': 'tasks-assignee' },
          }}
        >
          <option value="">{k.assigneeOwner}</option>
          {employees.map((e) => (
            <option key={e.id} value={e.id}>
              {e.name}
            </option>
          ))}
          {form.taskAssigneeId && !known && <option value={form.taskAssigneeId}>{form.taskAssigneeId}</option>}
        </TextField>
      </Stack>
    </SettingsSection>
  );
}
