'use client';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import dynamic from 'next/dynamic';
import useSWR, { type SWRResponse } from 'swr';
import { LoadFailed } from '@/lib/ui/load-failed';
import type { ActionName, DocumentView, PreflightResponse } from '@/lib/api/contract';
import { ApiError, SessionExpiredError, type ApiClient } from '@/lib/ui/api-client';
import { formatDateTime, labelOf, withDirection } from '@/lib/ui/i18n';
import { DirectionProvider, useI18n } from '@/lib/ui/i18n/context';
import { HostRequestError, type HostBridge } from '@/lib/ui/moysklad-bridge';
import { ActionBar } from '@/lib/ui/widget/action-bar';
import { Preflight } from '@/lib/ui/widget/preflight';
import { ProblemList } from '@/lib/ui/widget/problems';
import { errorMessage } from '@/lib/ui/widget/error-text';
import {
  AFTER_ACTION_FAST_MS,
  CONFIRMED_ACTIONS,
  documentChangedSince,
  errorsResolved,
  IDLE_REFRESH_MS,
  LIVE_REFRESH_MS,
  PREFLIGHT_STATES,
  STREAMING_REFRESH_MS,
} from '@/lib/ui/widget/rules';
import { useDocumentChanges } from '@/lib/ui/widget/use-document-changes';
import { StateChip } from '@/lib/ui/widget/state-chip';
import { Timeline } from '@/lib/ui/widget/timeline';
import { WidgetSkeleton } from '@/lib/ui/widget/widget-skeleton';
import type { UnrecognizedGoods as UnrecognizedGoodsPanel } from '@/lib/ui/widget/unrecognized-goods';

// Shown only once a receipt exists: loaded then, so the first open of a widget carries neither the
// table components nor the text field of the goods dialog (the widget route's JS budget, docs/architecture.md «The widget's bundle»).
const ReceiptTable = dynamic(() => import('@/lib/ui/widget/receipt-table').then((m) => m.ReceiptTable));
const LazyUnrecognizedGoods = dynamic(() => import('@/lib/ui/widget/unrecognized-goods').then((m) => m.UnrecognizedGoods));
function UnrecognizedGoods(props: Parameters<typeof UnrecognizedGoodsPanel>[0]) {
  return props.goods.length ? <LazyUnrecognizedGoods {...props} /> : null;
}

type DocumentEntity = DocumentView['entity'];

function retryable(error: unknown): boolean {
  return !(error instanceof SessionExpiredError) && !(error instanceof ApiError && error.status >= 400 && error.status < 500);
}

type ViewSwr = SWRResponse<DocumentView>;
type PreflightSwr = SWRResponse<PreflightResponse>;
type Notice = { severity: 'success' | 'error'; text: string; state?: string };

interface DocumentPanelProps {
  entity: DocumentEntity;
  objectId: string;
  /** messageId of the Open: a new Open is a fresh start even for the same document. */
  openId: number;
  /** Bumped on every Save from MoySklad. */
  saves: number;
  client: ApiClient;
  bridge: HostBridge | null;
  /** Only an admin maps unknown goods (the server checks it too). */
  isAdmin?: boolean;
}

export function DocumentPanel({ entity, objectId, openId, saves, client, bridge, isAdmin = false }: DocumentPanelProps) {
  const { t, locale } = useI18n();
  const w = t.widget;
  const base = `/api/widget/documents/${entity}/${objectId}`;
  const { view, preflight, wantPreflight, fastUntilRef } = useDocumentData(client, base, openId, saves);
  const data = view.data;
  const changed = useDocumentChanged(data, openId);
  const actions = useDocumentActions(client, base, view, preflight, fastUntilRef);
  const confirm = useConfirmedRun(bridge, actions.perform, data?.name ?? '', data?.direction);
  const { reopen, reopenFailed } = useReopen(bridge, entity, objectId);

  if (!data) {
    if (view.error && !(view.error instanceof SessionExpiredError)) {
      return (
        <Box sx={{ p: 1.5 }}>
          <LoadFailed message={errorMessage(view.error, locale)} onRetry={() => void view.mutate()} />
        </Box>
      );
    }
    return <WidgetSkeleton label={w.loadingDocument} />;
  }

  const neverSent = data.state === 'not_sent' && data.events.length === 0;
  const preflightBlocks = wantPreflight && preflight.data?.ok === false;
  const showErrors = data.errors.length > 0 && !errorsResolved(data.errors, wantPreflight ? preflight.data?.ok : false);
  const { notice, setNotice } = actions;
  const showNotice = notice && (notice.severity === 'error' || !notice.state || notice.state === data.state);

  return (
    <DirectionProvider direction={data.direction}>
      <Box
        sx={{ px: 1.5, pb: 1.5, pt: 1 }}
        data-testid="document-panel"
        data-document-id={objectId}
        data-direction={data.direction ?? undefined}
      >
        <PanelHeader data={data} neverSent={neverSent} />
        <DocumentFacts data={data} />
        {changed && <ChangedNotice reopenFailed={reopenFailed} onReopen={() => void reopen()} />}

        <ActionBar view={data} busy={actions.busy} onRun={(a) => void confirm.run(a)} blocked={preflightBlocks} />
        <PendingConfirm confirm={confirm} perform={actions.perform} />
        {showNotice && <ActionNotice notice={notice} onClose={() => setNotice(null)} />}
        {showErrors && <DocumentErrors data={data} />}

        <UnrecognizedGoods
          goods={data.unrecognized ?? []}
          isAdmin={isAdmin}
          busyBarcode={actions.identifying}
          onIdentify={(b, k) => void actions.identify(b, k)}
        />

        {wantPreflight && <Preflight data={preflight.data} error={preflight.error} loading={preflight.isLoading} known={data.errors} />}
        {data.receipt && <ReceiptTable receipt={data.receipt} outbound={data.direction === 'outbound'} />}
        {!neverSent && <Timeline events={data.events} />}
      </Box>
    </DirectionProvider>
  );
}

/** The document's view (polled, and re-read on pushed changes and on Save) and its preflight check. */
function useDocumentData(client: ApiClient, base: string, openId: number, saves: number) {
  // An action is queued on the server and may not flip `live` at once: poll fast for a while anyway.
  const fastUntilRef = useRef(0);
  const streaming = useRef(false);
  const view = useSWR<DocumentView>(['view', base, openId], () => client.get<DocumentView>(base), {
    refreshInterval: (latest) =>
      streaming.current ? STREAMING_REFRESH_MS : latest?.live || Date.now() < fastUntilRef.current ? LIVE_REFRESH_MS : IDLE_REFRESH_MS,
    revalidateOnFocus: true,
    shouldRetryOnError: retryable,
    errorRetryCount: 5,
  });
  const data = view.data;
  const wantPreflight = data ? PREFLIGHT_STATES.includes(data.state) : false;
  // Re-checked when the state or the document changes, and on Save; never polled (it reads MoySklad).
  const preflight = useSWR<PreflightResponse>(
    wantPreflight ? ['preflight', base, openId, data?.state, data?.updatedAt, saves] : null,
    () => client.get<PreflightResponse>(`${base}/preflight`),
    { revalidateOnFocus: false, shouldRetryOnError: retryable, errorRetryCount: 2 },
  );

  // MoySklad saved the form: the document may differ now, and a status set to the command is being
  // handled (webhook → job) — poll fast for a while, as after a button press.
  const { mutate: mutateView } = view;
  // Pushed changes: the server sends the view itself after each change (docs/architecture.md, live updates).
  const streamOpen = useDocumentChanges<DocumentView>(
    client,
    `${base}/events`,
    useCallback(() => void mutateView(), [mutateView]),
    // The pushed view is the server's latest: shown as it is, without reading it again.
    useCallback((pushed: DocumentView) => void mutateView(pushed, { revalidate: false }), [mutateView]),
  );
  useEffect(() => {
    streaming.current = streamOpen;
  }, [streamOpen]);
  useEffect(() => {
    if (saves > 0) {
      fastUntilRef.current = Date.now() + AFTER_ACTION_FAST_MS;
      void mutateView();
    }
  }, [saves, mutateView]);
  return { view, preflight, wantPreflight, fastUntilRef };
}

/** The app's own change time as seen when this Open started; a newer one means the form is stale. */
function useDocumentChanged(data: DocumentView | undefined, openId: number): boolean {
  const [baseline, setBaseline] = useState<{ openId: number; at: string | null } | null>(null);
  if (data && baseline?.openId !== openId) setBaseline({ openId, at: data.documentChangedAt });
  return Boolean(data && baseline?.openId === openId && documentChangedSince(data.documentChangedAt, baseline.at));
}

/** The buttons' calls and the unknown goods' mapping, with the notice each leaves. */
function useDocumentActions(client: ApiClient, base: string, view: ViewSwr, preflight: PreflightSwr, fastUntilRef: RefObject<number>) {
  const { t, locale } = useI18n();
  const w = withDirection(t, view.data?.direction).widget;
  const [busy, setBusy] = useState<ActionName | null>(null);
  // A success notice belongs to the state it answered («Передача запрошена» while queued): it goes
  // once the state moves on, so it never contradicts the chip.
  const [notice, setNotice] = useState<Notice | null>(null);
  const [identifying, setIdentifying] = useState<string | null>(null);

  const perform = useCallback(
    async (action: ActionName) => {
      setBusy(action);
      setNotice(null);
      try {
        const next = await client.post<DocumentView>(`${base}/actions`, { action });
        fastUntilRef.current = Date.now() + AFTER_ACTION_FAST_MS;
        await view.mutate(next, { revalidate: true });
        setNotice({ severity: 'success', text: w.actionDone[action], state: next.state });
      } catch (error) {
        if (!(error instanceof SessionExpiredError)) {
          setNotice({ severity: 'error', text: `${w.actionFailed}: ${errorMessage(error, locale)}` });
          void view.mutate();
          // Refused: what blocks it may have changed. (After a success the new state or document time
          // re-checks by itself when pre-flight applies; a re-read of MoySklad now would only compete
          // with the transfer for the account's MoySklad budget.)
          void preflight.mutate();
        }
      } finally {
        setBusy(null);
      }
    },
    [client, base, view, preflight, w, locale, fastUntilRef],
  );

  const identify = useCallback(
    async (barcode: string, productKey: string) => {
      setIdentifying(barcode);
      setNotice(null);
      try {
        const next = await client.post<DocumentView>(`${base}/recognition`, { barcode, productKey });
        fastUntilRef.current = Date.now() + AFTER_ACTION_FAST_MS;
        await view.mutate(next, { revalidate: true });
        setNotice({ severity: 'success', text: w.identifyDone, state: next.state });
      } catch (error) {
        if (!(error instanceof SessionExpiredError)) {
          setNotice({ severity: 'error', text: `${w.actionFailed}: ${errorMessage(error, locale)}` });
        }
      } finally {
        setIdentifying(null);
      }
    },
    [client, base, view, w, locale, fastUntilRef],
  );

  return { busy, notice, setNotice, perform, identifying, identify };
}

type ConfirmTexts = { text: string; yes: string; no: string };

/** Cancel and post ask first: in MoySklad's own dialog, or inside the widget when the host cannot show one. */
function useConfirmedRun(
  bridge: HostBridge | null,
  perform: (action: ActionName) => Promise<void>,
  name: string,
  direction: DocumentView['direction'] | undefined,
) {
  const w = withDirection(useI18n().t, direction).widget;
  const [confirming, setConfirming] = useState<ActionName | null>(null);

  const textsOf = useCallback(
    (action: ActionName): ConfirmTexts =>
      action === 'cancel'
        ? { text: w.confirmCancelText(name), yes: w.confirmCancelYes, no: w.confirmCancelNo }
        : { text: w.confirmPostText(name), yes: w.confirmPostYes, no: w.confirmPostNo },
    [name, w],
  );

  const run = useCallback(
    async (action: ActionName) => {
      if (!CONFIRMED_ACTIONS.includes(action)) return perform(action);
      const texts = textsOf(action);
      if (bridge) {
        try {
          // standard-dialogs: browsers block confirm() in cross-origin iframes.
          const answer = await bridge.showDialog(texts.text, [
            { name: 'yes', caption: texts.yes },
            { name: 'no', caption: texts.no },
          ]);
          if (answer.buttonName === 'yes') await perform(action);
          return;
        } catch (error) {
          // Outside MoySklad or the host refused the dialog: confirm inside the widget instead.
          if (!(error instanceof HostRequestError)) throw error;
        }
      }
      setConfirming(action);
    },
    [bridge, perform, textsOf],
  );

  return { confirming, setConfirming, textsOf, run };
}

function useReopen(bridge: HostBridge | null, entity: DocumentEntity, objectId: string) {
  const [reopenFailed, setReopenFailed] = useState(false);
  const reopen = useCallback(async () => {
    setReopenFailed(false);
    try {
      if (!bridge) throw new Error('no host');
      await bridge.navigate(`#${entity}/edit?id=${objectId}`, 'self');
    } catch {
      setReopenFailed(true);
    }
  }, [bridge, entity, objectId]);
  return { reopen, reopenFailed };
}

function PanelHeader({ data, neverSent }: { data: DocumentView; neverSent: boolean }) {
  const { t } = useI18n();
  const w = t.widget;
  return (
    <>
      <Box sx={{ height: 2, mx: -1.5, mt: -1, mb: 1 }}>{data.live && <LinearProgress aria-label={w.live} sx={{ height: 2 }} />}</Box>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
        <StateChip state={data.state} />
        {data.name && (
          <Typography
            sx={{
              fontSize: 12,
              color: 'text.secondary',
              overflow: 'hidden',
              textOverflow: 'ellipsis',
              whiteSpace: 'nowrap',
            }}
          >
            № {data.name}
          </Typography>
        )}
        <Typography sx={{ ml: 'auto', fontSize: 11, fontWeight: 700, color: 'primary.main', letterSpacing: 0.3 }}>{w.title}</Typography>
      </Box>
      <Typography sx={{ fontSize: 12, color: 'text.secondary', mt: 0.5 }} role="status" aria-live="polite" data-testid="state-hint">
        {neverSent ? w.notSentYet : t.stateHints[data.state]}
      </Typography>
    </>
  );
}

function DocumentFacts({ data }: { data: DocumentView }) {
  const { t, locale } = useI18n();
  const w = t.widget;
  const trigger = [labelOf(t.triggers, data.lastTrigger), data.lastActor].filter(Boolean).join(', ');
  return (
    <Box
      component="dl"
      sx={{
        display: 'grid',
        gridTemplateColumns: 'auto 1fr',
        columnGap: 1,
        rowGap: 0.25,
        m: 0,
        mt: 0.75,
        fontSize: 12,
        '& dt': { color: 'text.secondary' },
        '& dd': { m: 0, wordBreak: 'break-all' },
      }}
    >
      {data.indocId && (
        <>
          <dt>{w.task}</dt>
          <dd data-testid="indoc-id">{data.indocId}</dd>
        </>
      )}
      {data.direction && (
        <>
          <dt>{w.direction}</dt>
          <dd data-testid="direction">{w.directions[data.direction]}</dd>
        </>
      )}
      {trigger && (
        <>
          <dt>{w.triggeredBy}</dt>
          <dd data-testid="trigger">{trigger}</dd>
        </>
      )}
      {data.sentAt && (
        <>
          <dt>{w.sentAt}</dt>
          <dd>{formatDateTime(data.sentAt, locale)}</dd>
        </>
      )}
      {data.postedAt && (
        <>
          <dt>{w.postedAt}</dt>
          <dd>{formatDateTime(data.postedAt, locale)}</dd>
        </>
      )}
    </Box>
  );
}

function ChangedNotice({ reopenFailed, onReopen }: { reopenFailed: boolean; onReopen: () => void }) {
  const w = useI18n().t.widget;
  return (
    <Alert severity="info" icon={false} sx={{ mt: 1, py: 0.5 }} data-testid="document-changed">
      <AlertTitle sx={{ fontSize: 12, mb: 0.25 }}>{w.changedTitle}</AlertTitle>
      <Typography sx={{ fontSize: 12 }}>{reopenFailed ? w.reopenFailed : w.changedText}</Typography>
      <Button variant="outlined" color="info" sx={{ mt: 0.75, bgcolor: 'background.paper' }} onClick={onReopen} data-testid="reopen">
        {w.reopen}
      </Button>
    </Alert>
  );
}

/** The widget's own confirmation, while one is pending (the host could not show its dialog). */
function PendingConfirm({
  confirm,
  perform,
}: {
  confirm: ReturnType<typeof useConfirmedRun>;
  perform: (action: ActionName) => Promise<void>;
}) {
  const action = confirm.confirming;
  if (!action) return null;
  return (
    <InlineConfirm
      texts={confirm.textsOf(action)}
      onYes={() => {
        confirm.setConfirming(null);
        void perform(action);
      }}
      onNo={() => confirm.setConfirming(null)}
    />
  );
}

function ActionNotice({ notice, onClose }: { notice: Notice; onClose: () => void }) {
  return (
    <Alert severity={notice.severity} sx={{ mt: 1, py: 0 }} onClose={onClose} data-testid="action-notice">
      {notice.text}
    </Alert>
  );
}

function InlineConfirm({ texts, onYes, onNo }: { texts: ConfirmTexts; onYes: () => void; onNo: () => void }) {
  return (
    <Alert
      severity="warning"
      role="alertdialog"
      sx={{ mt: 1 }}
      data-testid="inline-confirm"
      action={
        <Box sx={{ display: 'flex', flexDirection: 'column', gap: 0.5 }}>
          <Button color="error" variant="contained" onClick={onYes}>
            {texts.yes}
          </Button>
          <Button color="inherit" onClick={onNo}>
            {texts.no}
          </Button>
        </Box>
      }
    >
      {texts.text}
    </Alert>
  );
}

function DocumentErrors({ data }: { data: DocumentView }) {
  const w = useI18n().t.widget;
  return (
    <Alert severity="error" icon={false} sx={{ mt: 1, py: 0.5 }} data-testid="errors">
      <AlertTitle sx={{ fontSize: 12, mb: 0.25 }}>{w.errorsTitle}</AlertTitle>
      <ProblemList problems={data.errors} />
      {data.errorClass && (
        <Typography sx={{ fontSize: 11, mt: 0.5 }}>{data.errorClass === 'data' ? w.errorClassData : w.errorClassTransient}</Typography>
      )}
    </Alert>
  );
}
