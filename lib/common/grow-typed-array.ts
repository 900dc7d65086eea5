/** A copy of `array` in a new one of `capacity` elements (the growth step of append-only typed-array tables). */
export function growTypedArray<T extends Int32Array | Float64Array>(array: T, capacity: number): T {
  const grown = new (array.constructor as new (length: number) => T)(capacity);
  grown.set(array);
  return grown;
}
