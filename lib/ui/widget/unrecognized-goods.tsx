'use client';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { DocumentView } from '@/lib/api/contract';
import { useI18n } from '@/lib/ui/i18n/context';

/**
 * Goods BetaPRO received under temporary codes: the receipt waits until each is mapped to a MoySklad
 * product. An admin types the product's key value (article, code or external code, as in the settings).
 */
export function UnrecognizedGoods({
  goods,
  isAdmin,
  busyBarcode,
  onIdentify,
}: {
  goods: DocumentView['unrecognized'];
  isAdmin: boolean;
  busyBarcode: string | null;
  onIdentify: (barcode: string, productKey: string) => void;
}) {
  const { t } = useI18n();
  const w = t.widget;
  const [values, setValues] = useState<Record<string, string>>({});
  if (!goods.length) return null;
  return (
    <Alert severity="warning" icon={false} sx={{ mt: 1, py: 0.5 }} data-testid="unrecognized">
      <AlertTitle sx={{ fontSize: 12, mb: 0.25 }}>{w.unrecognizedTitle}</AlertTitle>
      <Typography sx={{ fontSize: 12, mb: 0.5 }}>{isAdmin ? w.unrecognizedHintAdmin : w.unrecognizedHint}</Typography>
      {goods.map((g) => (
        <Box key={g.barcode} sx={{ mt: 0.75 }} data-testid="unrecognized-good" data-barcode={g.barcode}>
          <Typography sx={{ fontSize: 12, fontWeight: 600 }}>{g.barcode}</Typography>
          <Typography sx={{ fontSize: 12 }}>
            {g.description || w.unrecognizedNoDescription} · {w.unrecognizedQuantity(g.useful, g.defective)}
          </Typography>
          {isAdmin && (
            <Box
              component="form"
              sx={{ display: 'flex', gap: 0.5, mt: 0.5 }}
              onSubmit={(e) => {
                e.preventDefault();
                onIdentify(g.barcode, values[g.barcode] ?? '');
              }}
            >
              <TextField
                size="small"
                label={w.unrecognizedProductKey}
                value={values[g.barcode] ?? ''}
                onChange={(e) => setValues((v) => ({ ...v, [g.barcode]: e.target.value }))}
                slotProps={{ htmlInput: { 'data-testid': 'unrecognized-key', maxLength: 255 } }}
                sx={{ flex: 1, bgcolor: 'background.paper' }}
              />
              <Button
                type="submit"
                variant="contained"
                disabled={busyBarcode !== null || !(values[g.barcode] ?? '').trim()}
                data-testid="unrecognized-identify"
              >
                {w.unrecognizedIdentify}
              </Button>
            </Box>
          )}
        </Box>
      ))}
    </Alert>
  );
}
