/** A one-line progress bar on stderr, drawn only on a terminal. */
import { type ProgressEvent } from '../core/runTypes';
import { type CliOutput } from './io';

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export class ProgressBar {
  private drawn = false;

  constructor(private readonly out: CliOutput) {}

  get enabled(): boolean {
    return this.out.isTTY === true;
  }

  update(event: ProgressEvent): void {
    if (!this.enabled) return;
    // The share read of the file until the record count is known.
    const fraction = event.total ? event.done / event.total : event.totalBytes > 0 ? event.bytesRead / event.totalBytes : 0;
    const share = Math.min(1, Math.max(0, fraction));
    const counts = `${event.done}${event.total ? `/${event.total}` : ''} · ✔ ${event.delivered} ✖ ${event.failed} ⤼ ${event.skipped}`;
    const remaining = event.total ? event.total - event.done : event.done > 0 ? (event.done / Math.max(share, 1e-9)) * (1 - share) : NaN;
    const eta = event.ratePerSecond > 0 ? formatEta(remaining / event.ratePerSecond) : '';
    const tail = ` ${Math.floor(share * 100)}% ${counts} · ${event.ratePerSecond.toFixed(1)}/s${eta ? ` · ETA ${eta}` : ''}${event.rateLimited ? ` · 429×${event.rateLimited}` : ''}`;
    const width = Math.max(10, Math.min(40, (this.out.columns ?? 80) - tail.length - 3));
    const filled = Math.round(share * width);
    this.out.write(`\r\u001b[2K[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]${tail}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.out.write('\r\u001b[2K');
    this.drawn = false;
  }
}
