'use client';
import { createTheme } from '@mui/material/styles';
import { ruRU } from '@mui/material/locale';

/**
 * Compact, light theme close to MoySklad's own UI (blue accents, small type, dense tables), using
 * system fonts: nothing is downloaded at build or run time.
 */
export const theme = createTheme(
  {
    palette: {
      mode: 'light',
      primary: { main: '#1565c0' },
      success: { main: '#2e7d32' },
      warning: { main: '#ed6c02' },
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
      MuiButton: { defaultProps: { size: 'small', disableElevation: true } },
      MuiTextField: { defaultProps: { size: 'small' } },
      MuiTable: { defaultProps: { size: 'small' } },
      MuiChip: { defaultProps: { size: 'small' } },
    },
  },
  ruRU,
);
