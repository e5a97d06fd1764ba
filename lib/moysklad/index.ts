/** lib/moysklad: the product's whole contract with MoySklad (JSON API, Vendor API, descriptor). */
export * from './schemas';
export * from './errors';
export * from './retry';
export * from './json-api';
export * from './refs';
export * from './webhooks';
export * from './statuses';
export * from './vendor-jwt';
export * from './vendor-api';
export * from './app-session';
export * from './descriptor';
export * from './mappers';
