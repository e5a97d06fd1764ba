/** FBox account settings → product terms for the settings page ("test connection"). */
import type { FboxSettings } from '@/lib/betapro/schemas';
import type { BetaproAccountSettings, BetaproOptionalOutdocType, BetaproQuota } from '@/lib/betapro/types';

const QUOTAS: Array<{
  field: keyof Omit<FboxSettings['rate_limits'], 'concurrent_qnt'>;
  kind: BetaproQuota['kind'];
  label: string;
}> = [
  { field: 'req_qnt', kind: 'requests', label: 'Запросов' },
  { field: 'req_mb', kind: 'requestMegabytes', label: 'Объём запросов, МБ' },
  { field: 'resp_mb', kind: 'responseMegabytes', label: 'Объём ответов, МБ' },
  { field: 'err_qnt', kind: 'failedRequests', label: 'Ошибочных запросов (4xx)' },
  { field: 'err_mb', kind: 'failedRequestMegabytes', label: 'Объём ошибочных запросов, МБ' },
  { field: 'duration_minutes', kind: 'processingMinutes', label: 'Время обработки, мин' },
];

export function toAccountSettings(settings: FboxSettings): BetaproAccountSettings {
  const limits = settings.rate_limits;
  return {
    optionalOutdocTypes: settings.outdoc_types as Partial<Record<BetaproOptionalOutdocType, boolean>>,
    receivingStartReported: settings.outdoc_types.goods_supply_start === true,
    expiryTrackingEnabled: settings.goods_expir_enabled,
    surplusAcceptedInDocument: settings.goods_surplus_enabled,
    rateLimits: {
      concurrentRequests: limits.concurrent_qnt,
      quotas: QUOTAS.map(({ field, kind, label }) => ({
        kind,
        label,
        perDay: limits[field].day,
        perMinute: limits[field].minute,
      })),
    },
  };
}
