// Numbers typed by a person: decimal digits only (Number() also reads "0x10", "1e3", " " and "").

/** A whole number written in decimal digits, or null. */
export function wholeNumber(text: string): number | null {
  return /^\d{1,15}$/.test(text) ? Number(text) : null;
}

/** A number written in decimal digits with an optional fraction ("0.5", ".5", "10"), or null. */
export function decimalNumber(text: string): number | null {
  return /^(\d{1,15}(\.\d+)?|\.\d+)$/.test(text) ? Number(text) : null;
}

/** A TCP port (0: any free one), or null. */
export function portNumber(text: string): number | null {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : null;
  return n !== null && n <= 65535 ? n : null;
}
