/*
 * The value rules every conversion shares, posted or a WhatsApp order (SPEC section 3): an
 * amount is a finite number ≥ 0, a currency is an ISO 4217 code, an order is worth
 * Σ item_price × quantity in its one currency.
 */

/**
 * ISO 4217 codes the runtime knows (ICU's list, which Node ships in full). The platform's list
 * rather than a package: it is the same table `Intl.NumberFormat` formats with, kept current by
 * every Node release.
 */
const currencyCodes: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** An ISO 4217 code upper-cased, or null when `code` is not one (case-insensitive). */
export function currencyCode(code: unknown): string | null {
  if (typeof code !== 'string') return null;
  const upper = code.trim().toUpperCase();
  return /^[A-Z]{3}$/.test(upper) && currencyCodes.has(upper) ? upper : null;
}

/** A non-negative finite amount, or null when `value` is not one. */
export function amount(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** Minor units of a currency (2 for EUR, 0 for JPY, 3 for BHD), from the runtime's currency data. */
function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** A sum of products in floating point (0.1 × 3 is 0.30000000000000004) rounded to the currency's minor units. */
export function roundToCurrency(value: number, currency: string): number {
  const scale = 10 ** minorDigits(currency);
  return Math.round(value * scale) / scale;
}

/** One catalog line of a WhatsApp order. */
export interface OrderItem {
  readonly price: number;
  readonly quantity: number;
  readonly currency: string;
}

/** Why an order has no value. */
export type OrderValueProblem = 'conversion_unknown_currency' | 'conversion_mixed_currencies' | 'conversion_bad_value';

/** The order's value and currency, or the reason it has none. An order without items is worth 0 and has no currency. */
export function orderValue(items: readonly OrderItem[]): { value: number; currency: string | null } | OrderValueProblem {
  let currency: string | null = null;
  let total = 0;
  for (const item of items) {
    if (currency !== null && item.currency !== currency) return 'conversion_mixed_currencies';
    currency = item.currency;
    total += item.price * item.quantity;
  }
  if (!Number.isFinite(total)) return 'conversion_bad_value';
  return { value: currency === null ? 0 : roundToCurrency(total, currency), currency };
}
