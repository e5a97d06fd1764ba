'use client';
import Box from '@mui/material/Box';
import Container from '@mui/material/Container';
import Link from '@mui/material/Link';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';

const DOCS_URL = 'https://github.com/betapro-bridge/betapro-bridge-moysklad#readme';

export function LandingPage() {
  return (
    <Container maxWidth="md" sx={{ py: 6 }}>
      <Stack spacing={3}>
        <Box>
          <Typography variant="h4" component="h1" gutterBottom>
            БетаПРО для МойСклад
          </Typography>
          <Typography color="text.secondary">
            Решение для МойСклад: передаёт приёмки, перемещения и возвраты поставщикам на склад фулфилмента БетаПРО и проводит их по
            фактически принятому или отгруженному товару.
          </Typography>
        </Box>
        <Paper variant="outlined" sx={{ p: 3 }}>
          <Typography variant="h6" component="h2" gutterBottom>
            Как это работает
          </Typography>
          <ol style={{ margin: 0, paddingLeft: 20, lineHeight: 1.7 }}>
            <li>
              В приёмке или перемещении на склад БетаПРО сотрудник ставит статус «Передать» или нажимает «Передать на склад» в виджете
              документа.
            </li>
            <li>
              Приложение проверяет документ, регистрирует товары в БетаПРО и создаёт задание на оприходование; статус документа становится
              «Передан» (или «Ошибка передачи» с причинами в комментарии).
            </li>
            <li>
              Когда склад примет товар, приложение исправляет позиции по факту, проводит документ и ставит статус «Проведён». Расхождения
              видны в виджете и в комментарии.
            </li>
          </ol>
        </Paper>
        <Paper variant="outlined" sx={{ p: 3 }}>
          <Typography variant="h6" component="h2" gutterBottom>
            Где работать
          </Typography>
          <Typography>
            Эта страница — служебная. Работа идёт внутри МойСклад: установите решение из магазина приложений, откройте его настройки (раздел
            «Приложения») и документы приёмок и перемещений.
          </Typography>
        </Paper>
        <Typography variant="body2" color="text.secondary">
          Документация для администраторов и операторов сервиса: <Link href={DOCS_URL}>README проекта</Link>. Проверка работоспособности:{' '}
          <Link href="/api/health">/api/health</Link>.
        </Typography>
      </Stack>
    </Container>
  );
}
