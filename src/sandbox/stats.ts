import { type ReceivedCall, type SandboxStats } from './contract';

/** Counts what the sandbox saw. A call's outcome is counted once, under its status or its fault. */
export class StatsRecorder {
  private startedAt: number;
  private tokensIssued = 0;
  private tokensRefused = 0;
  private requests = 0;
  private apiCalls = 0;
  private byStatus = new Map<string, number>();
  private received: ReceivedCall[] = [];
  private receivedDropped = 0;
  private subjectCounts = new Map<string, number>();
  private duplicateSubjects = 0;
  private acknowledgedSubjects = new Set<string>();
  private acknowledgedDuplicates = 0;
  private faultsByKind = new Map<string, number>();
  private rateLimited = 0;
  private rejectedUnauthorized = 0;

  constructor(
    now: number,
    private maxReceived: number,
  ) {
    this.startedAt = now;
  }

  setMaxReceived(maxReceived: number): void {
    this.maxReceived = maxReceived;
    this.trimReceived();
  }

  clear(now: number): void {
    this.startedAt = now;
    this.tokensIssued = 0;
    this.tokensRefused = 0;
    this.requests = 0;
    this.apiCalls = 0;
    this.byStatus = new Map();
    this.received = [];
    this.receivedDropped = 0;
    this.subjectCounts = new Map();
    this.duplicateSubjects = 0;
    this.acknowledgedSubjects = new Set();
    this.acknowledgedDuplicates = 0;
    this.faultsByKind = new Map();
    this.rateLimited = 0;
    this.rejectedUnauthorized = 0;
  }

  countRequest(isApiCall: boolean): void {
    this.requests += 1;
    if (isApiCall) this.apiCalls += 1;
  }

  countOutcome(statusOrFault: string): void {
    increment(this.byStatus, statusOrFault);
  }

  countFault(kind: string): void {
    increment(this.faultsByKind, kind);
  }

  countTokenIssued(): void {
    this.tokensIssued += 1;
  }

  countTokenRefused(): void {
    this.tokensRefused += 1;
  }

  countRateLimited(): void {
    this.rateLimited += 1;
  }

  countUnauthorized(): void {
    this.rejectedUnauthorized += 1;
  }

  record(call: ReceivedCall): void {
    this.received.push(call);
    this.trimReceived();
    if (call.subject === undefined) return;
    const seen = this.subjectCounts.get(call.subject) ?? 0;
    if (seen > 0) this.duplicateSubjects += 1;
    if (this.acknowledgedSubjects.has(call.subject)) this.acknowledgedDuplicates += 1;
    this.subjectCounts.set(call.subject, seen + 1);
  }

  /** The 2xx answer to a call about `subject` was written out whole: the client was told it succeeded. */
  acknowledge(subject: string): void {
    this.acknowledgedSubjects.add(subject);
  }

  /** The last `count` received calls, newest last. */
  lastReceived(count: number): ReceivedCall[] {
    return count <= 0 ? [] : this.received.slice(-count);
  }

  snapshot(receivedTail?: number): SandboxStats {
    const duplicates: Array<{ subject: string; count: number }> = [];
    for (const [subject, count] of this.subjectCounts) {
      if (count > 1) duplicates.push({ subject, count });
    }
    let faultsInjected = 0;
    for (const count of this.faultsByKind.values()) faultsInjected += count;
    return {
      startedAt: this.startedAt,
      tokensIssued: this.tokensIssued,
      tokensRefused: this.tokensRefused,
      requests: this.requests,
      apiCalls: this.apiCalls,
      byStatus: Object.fromEntries(this.byStatus),
      received: receivedTail === undefined ? [...this.received] : this.lastReceived(receivedTail),
      receivedDropped: this.receivedDropped,
      receivedTotal: this.received.length + this.receivedDropped,
      distinctSubjects: this.subjectCounts.size,
      duplicateSubjects: this.duplicateSubjects,
      duplicates,
      acknowledgedDuplicates: this.acknowledgedDuplicates,
      faultsInjected,
      faultsByKind: Object.fromEntries(this.faultsByKind),
      rateLimited: this.rateLimited,
      rejectedUnauthorized: this.rejectedUnauthorized,
    };
  }

  private trimReceived(): void {
    const excess = this.received.length - this.maxReceived;
    if (excess > 0) {
      this.received.splice(0, excess);
      this.receivedDropped += excess;
    }
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
