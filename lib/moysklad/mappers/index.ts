export * from './to-transfer-lines';
