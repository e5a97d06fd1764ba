/** lib/moysklad: the product's whole contract with MoySklad (JSON API, Vendor API, descriptor). */
export * from '@/lib/moysklad/schemas';
export * from '@/lib/moysklad/errors';
export * from '@/lib/moysklad/retry';
export * from '@/lib/moysklad/json-api';
export * from '@/lib/moysklad/refs';
export * from '@/lib/moysklad/webhooks';
export * from '@/lib/moysklad/statuses';
export * from '@/lib/moysklad/vendor-jwt';
export * from '@/lib/moysklad/vendor-api';
export * from '@/lib/moysklad/app-session';
export * from '@/lib/moysklad/descriptor';
export * from '@/lib/moysklad/mappers';
