// How numbers are printed once a rule has decided they should be digits.

/** "1234567" → "1,234,567"; a fraction is left alone ("12345.678" → "12,345.678"). */
export function groupThousands(digits: string): string {
  const [whole = "", fraction] = digits.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/**
 * A cardinal in running text. 1000..2099 stay ungrouped because a spoken "two thousand and five"
 * is usually a year and "2,005" would read wrong; every other value from 1000 up is grouped.
 */
export function proseDigits(digits: string): string {
  const whole = Number(digits.split(".")[0]);
  return whole >= 1000 && whole <= 2099 ? digits : groupThousands(digits);
}

/** 1 → "1st", 12 → "12th", 22 → "22nd", 113 → "113th". */
export function ordinalDigits(value: number): string {
  const lastTwo = value % 100;
  const last = value % 10;
  const suffix = lastTwo >= 11 && lastTwo <= 13
    ? "th"
    : last === 1
    ? "st"
    : last === 2
    ? "nd"
    : last === 3
    ? "rd"
    : "th";
  return `${value}${suffix}`;
}

/**
 * Digits read one by one, grouped like North American phone numbers when the length fits:
 * 7 → "555-1234", 10 → "555-123-4567", 11 starting with 1 → "1-555-123-4567"; otherwise as is.
 */
export function digitStringText(digits: string): string {
  if (digits.length === 7) return `${digits.slice(0, 3)}-${digits.slice(3)}`;
  if (digits.length === 10) return `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
  if (digits.length === 11 && digits.startsWith("1")) return `1-${digitStringText(digits.slice(1))}`;
  return digits;
}

/** "$23", "$23.50", "$1,500", "$0.5" → "$0.50": amounts with a fraction always show whole cents. */
export function moneyText(symbol: string, amount: string): string {
  const [whole = "0", fraction] = amount.split(".");
  const cents = fraction === undefined ? "" : `.${fraction.padEnd(2, "0")}`;
  return `${symbol}${groupThousands(whole)}${cents}`;
}
