// Times as people read them, in local time: "today 23:06", "yesterday 09:12", "3 Dec 14:00",
// "3 Dec 2025 14:00" (another year).

const pad = (n) => String(n).padStart(2, "0");

/** `date` (a Date, ISO string, or seconds since the epoch) in plain local words. */
export function humanTime(date, now = new Date()) {
  const d = typeof date === "number" ? new Date(date * 1000) : new Date(date);
  if (Number.isNaN(d.getTime())) return String(date || "");
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const day = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((day(now) - day(d)) / 86_400_000);
  if (days === 0) return `today ${clock}`;
  if (days === 1) return `yesterday ${clock}`;
  const month = d.toLocaleString("en-GB", { month: "short" });
  const year = d.getFullYear() === now.getFullYear() ? "" : ` ${d.getFullYear()}`;
  return `${d.getDate()} ${month}${year} ${clock}`;
}

/** A date-only `YYYY-MM-DD` as "5 Jan 2027". */
export function humanDate(ymd) {
  const [y, m, dd] = String(ymd).split("-").map(Number);
  if (!y || !m || !dd) return String(ymd || "");
  const d = new Date(y, m - 1, dd);
  return `${dd} ${d.toLocaleString("en-GB", { month: "short" })} ${y}`;
}

export function plural(n, one, many) {
  return `${n.toLocaleString("en-GB")} ${n === 1 ? one : many}`;
}
