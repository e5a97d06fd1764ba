/**
 * Renders the solution descriptor (vendor-descriptor/descriptor.xml.template) for a base URL. MoySklad
 * accepts only HTTPS in the descriptor; plain http is allowed for localhost so a local sandbox can use
 * the same descriptor.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '@/lib/core/errors';

/** `actionName` MoySklad sends to `/scenario` for our action (the documented examples use snake_case). */
export const SCENARIO_ACTION_TRANSFER = 'transfer_to_betapro';
export const WIDGET_HEIGHT_PX = 420;
export { BULK_SEND_BUTTON, BULK_SEND_POINTS } from '@/lib/moysklad/buttons';

export interface RenderDescriptorOptions {
  /** Template file; defaults to vendor-descriptor/descriptor.xml.template under the working directory. */
  templatePath?: string;
  /** Template text (overrides templatePath). */
  template?: string;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** The base URL as it goes into the descriptor: absolute, no trailing slash, https unless local. */
export function normalizeDescriptorBase(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new AppError('BAD_REQUEST', `descriptor base URL "${baseUrl}" is not a URL`);
  }
  const local = LOCAL_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new AppError('BAD_REQUEST', `descriptor base URL must use https (MoySklad refuses other schemes): ${baseUrl}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new AppError('BAD_REQUEST', `descriptor base URL must not carry a query, fragment or credentials: ${baseUrl}`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function escapeXmlAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export function defaultTemplatePath(): string {
  return path.resolve(process.cwd(), 'vendor-descriptor', 'descriptor.xml.template');
}

export function renderDescriptor(baseUrl: string, options: RenderDescriptorOptions = {}): string {
  const base = normalizeDescriptorBase(baseUrl);
  const template = options.template ?? readFileSync(options.templatePath ?? defaultTemplatePath(), 'utf8');
  const values: Record<string, string> = { BASE_URL: base, SCENARIO_ACTION: SCENARIO_ACTION_TRANSFER };
  const rendered = template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new AppError('INTERNAL', `descriptor template has unknown placeholder ${whole}`);
    return escapeXmlAttribute(value);
  });
  return rendered;
}
