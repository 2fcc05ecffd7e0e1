// Parsed day parts kept in memory between views, keyed by day and part and valid while the stored
// row's revision is unchanged: a year of a national service is 365 rows of ~50 KB of JSON for
// the whole service, and parsing them on every view would cost more than everything else the page
// does. Only the rows summed since (today, mostly) are read and parsed again; a row's revision
// (random, new at every save) says whether the parsed copy is still the stored one. Bounded by the JSON
// length it holds (least recently used out first); each app instance keeps its own.
import type { ServiceDaySums } from './day-sums';

interface Entry {
  revision: string;
  sums: ServiceDaySums;
  size: number;
}

export class PartsCache {
  private readonly entries = new Map<string, Entry>();
  private size = 0;

  constructor(private readonly maxChars: number) {}

  get(day: string, part: string, revision: string): ServiceDaySums | null {
    const key = `${day}|${part}`;
    const e = this.entries.get(key);
    if (!e || e.revision !== revision) return null;
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.sums;
  }

  set(day: string, part: string, revision: string, json: string): ServiceDaySums {
    const key = `${day}|${part}`;
    const old = this.entries.get(key);
    if (old) {
      this.size -= old.size;
      this.entries.delete(key);
    }
    const sums = JSON.parse(json) as ServiceDaySums;
    if (json.length <= this.maxChars) {
      this.entries.set(key, { revision, sums, size: json.length });
      this.size += json.length;
      for (const [k, e] of this.entries) {
        if (this.size <= this.maxChars) break;
        this.entries.delete(k);
        this.size -= e.size;
      }
    }
    return sums;
  }

  clear(): void {
    this.entries.clear();
    this.size = 0;
  }
}

/** ~40 MB of JSON: a national year of the whole service's parts and a few teams'. */
export const partsCache = new PartsCache(40_000_000);
