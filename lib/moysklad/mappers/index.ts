export * from '@/lib/moysklad/mappers/to-transfer-lines';
