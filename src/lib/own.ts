/**
 * A map keyed by user input (service names, stack outputs) read without the prototype: a service
 * named `constructor` must find its own entry or nothing, never `Object.prototype.constructor`.
 */
export function own<T>(map: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}
