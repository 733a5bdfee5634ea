import { currencyCode, orderValue, type OrderItem } from './conversion-value';
import type { Problem } from './context';

/*
 * A Meta `order` message: the user sent a catalog cart,
 * `order: {catalog_id, text?, product_items: [{product_retailer_id, quantity, item_price, currency}]}`.
 * It is a conversion named `order`, worth Σ item_price × quantity (SPEC section 3).
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The name every WhatsApp cart converts under. */
export const ORDER_CONVERSION_NAME = 'order';

/** A number Meta sends as a JSON number (the documented placeholders are strings, so decimal text is read too). */
function numberOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return null;
}

/** Value and currency of an order message's `order` object, or the problem that quarantines it. */
export function orderConversion(order: unknown): { value: number; currency: string | null } | Problem {
  const problem = (reason: Problem['reason'], message: string): Problem => ({ reason, message: `order ${message}` });
  if (!isObj(order)) return problem('bad_shape', 'is not an object');
  const products = order.product_items;
  if (!Array.isArray(products)) return problem('bad_shape', 'product_items is not an array');
  const items: OrderItem[] = [];
  for (let i = 0; i < products.length; i++) {
    const p: unknown = products[i];
    if (!isObj(p)) return problem('bad_shape', `product_items[${i}] is not an object`);
    const price = numberOf(p.item_price);
    const quantity = numberOf(p.quantity);
    if (price === null || price < 0 || quantity === null || quantity < 0) {
      return problem('conversion_bad_value', `product_items[${i}] item_price or quantity is not a number ≥ 0`);
    }
    const currency = currencyCode(p.currency);
    if (currency === null) return problem('conversion_unknown_currency', `product_items[${i}].currency is not an ISO 4217 code`);
    items.push({ price, quantity, currency });
  }
  const result = orderValue(items);
  if (typeof result === 'string') return problem(result, result === 'conversion_mixed_currencies' ? 'prices its items in more than one currency' : 'value is not finite');
  return result;
}
