// Month and day names, in their printed form.

const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** Lowercase key → printed month name. */
export const MONTHS: ReadonlyMap<string, string> = new Map(
  MONTH_NAMES.map((name) => [name.toLowerCase(), name]),
);

/** Lowercase key → printed day name. */
export const DAYS: ReadonlyMap<string, string> = new Map(DAY_NAMES.map((name) => [name.toLowerCase(), name]));

/** Months that are also everyday words ("you may", "the march"): capitalised only inside a date. */
export const AMBIGUOUS_MONTHS: ReadonlySet<string> = new Set(["may", "march"]);
