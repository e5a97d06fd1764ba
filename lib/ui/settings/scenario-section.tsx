'use client';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { SettingsResponse } from '@/lib/api/contract';
import { useI18n } from '@/lib/ui/i18n/context';
import { SettingsSection } from '@/lib/ui/settings/section';

export function ScenarioSection({ help }: { help: SettingsResponse['scenarioHelp'] }) {
  const { t } = useI18n();
  const steps = t.settings.scenario.steps;
  return (
    <SettingsSection title={t.settings.scenario.title} testId="settings-scenario">
      <Typography sx={{ fontSize: 13, mb: 0.5 }}>{t.settings.scenario.intro(help.actionTitle)}</Typography>
      <Box component="ol" sx={{ m: 0, pl: 2.5, '& li': { fontSize: 13, mb: 0.5 } }}>
        {/* The steps are the page's own text in the user's language; the action's name is MoySklad's. */}
        <li>{steps.create}</li>
        <li>{steps.condition}</li>
        <li>{steps.action(help.actionTitle)}</li>
        <li>{steps.save}</li>
      </Box>
    </SettingsSection>
  );
}
