/**
 * JSON laid out as Autobahn writes it (`json.dumps(…, sort_keys=True, indent=3)`): keys sorted,
 * three-space indent. Objects are rebuilt without a prototype so a key such as "__proto__"
 * (an agent may be named anything) stays an ordinary key.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export function formatJson(value: JsonValue): string {
  return JSON.stringify(sortKeys(value), null, 3);
}

/** A prototype-free object from entries, safe for keys chosen by a peer. */
export function jsonObject(entries: Iterable<readonly [string, JsonValue]>): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = Object.create(null);
  for (const [key, value] of entries) out[key] = value;
  return out;
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return jsonObject(Object.keys(value).sort().map((key) => [key, sortKeys(value[key])] as const));
}
