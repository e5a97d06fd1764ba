'use client';
import { createTheme } from '@mui/material/styles';
import { ruRU } from '@mui/material/locale';

/**
 * Compact, light theme close to MoySklad's own UI (blue accents, small type, dense tables), using
 * system fonts: nothing is downloaded at build or run time.
 *
 * Accessibility (WCAG 2.1 AA, checked by axe-core in test/e2e/accessibility.test.ts): every `main`
 * colour carries white 12 px chip text at ≥ 4.5:1 — MUI's default orange (#ed6c02, 3.1:1) and light
 * blue (#0288d1, 3.9:1) do not, so warning and info are darker shades of the same hues. MUI marks
 * keyboard focus only with a ripple, which is not a focus indicator; every button-like control gets
 * a 2 px outline on `:focus-visible` instead (mouse clicks stay unmarked). An employee without the
 * admin right sees the settings as disabled fields: their labels, helper texts and values must stay
 * readable, so disabled text uses the secondary text colour (6:1) rather than MUI's 38 % grey (2.7:1).
 */
const FOCUS_RING = { outline: '2px solid #1565c0', outlineOffset: 2 } as const;
const READABLE_DISABLED = 'rgba(0, 0, 0, 0.6)';

export const theme = createTheme(
  {
    palette: {
      mode: 'light',
      primary: { main: '#1565c0' },
      success: { main: '#2e7d32' },
      warning: { main: '#b35c00' },
      info: { main: '#0277bd' },
      error: { main: '#c62828' },
      background: { default: '#ffffff', paper: '#ffffff' },
    },
    typography: {
      fontFamily: '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
      fontSize: 13,
      button: { textTransform: 'none', fontWeight: 500 },
    },
    shape: { borderRadius: 4 },
    components: {
      MuiButtonBase: { styleOverrides: { root: { '&.Mui-focusVisible': FOCUS_RING } } },
      MuiLink: { styleOverrides: { root: { '&:focus-visible': FOCUS_RING } } },
      MuiFormLabel: { styleOverrides: { root: { '&.Mui-disabled': { color: READABLE_DISABLED } } } },
      MuiFormHelperText: { styleOverrides: { root: { '&.Mui-disabled': { color: READABLE_DISABLED } } } },
      MuiFormControlLabel: { styleOverrides: { label: { '&.Mui-disabled': { color: READABLE_DISABLED } } } },
      MuiInputBase: { styleOverrides: { input: { '&.Mui-disabled': { WebkitTextFillColor: READABLE_DISABLED } } } },
      MuiButton: { defaultProps: { size: 'small', disableElevation: true } },
      MuiTextField: { defaultProps: { size: 'small' } },
      MuiTable: { defaultProps: { size: 'small' } },
      MuiChip: { defaultProps: { size: 'small' } },
    },
  },
  ruRU,
);
