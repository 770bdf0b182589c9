import { type ReceivedCall, type SandboxStats } from './contract';

export const PAGE_RECENT_CALLS = 50;

/** The page at `/`: self-contained (no external resources), refreshes itself every 5 s. */
export function renderStatusPage(stats: SandboxStats, recent: ReceivedCall[], baseUrl: string): string {
  const counters: Array<[string, string | number]> = [
    ['Tokens issued', stats.tokensIssued],
    ['Tokens refused', stats.tokensRefused],
    ['Requests', stats.requests],
    ['API calls', stats.apiCalls],
    ['Received (processed writes)', stats.receivedTotal],
    ['Distinct subjects', stats.distinctSubjects],
    ['Duplicate subjects', stats.duplicateSubjects],
    ['Faults injected', stats.faultsInjected],
    ['Rate limited (429)', stats.rateLimited],
    ['Unauthorized (401)', stats.rejectedUnauthorized],
  ];
  const statusCells = Object.entries(stats.byStatus)
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([status, count]) => `<tr><td>${escapeHtml(status)}</td><td>${count}</td></tr>`)
    .join('');
  const callRows = [...recent]
    .reverse()
    .map(
      (call) =>
        `<tr><td>${escapeHtml(new Date(call.at).toISOString())}</td><td>${escapeHtml(call.method)}</td>` +
        `<td>${escapeHtml(call.path)}</td><td>${call.status}</td><td>${escapeHtml(call.subject ?? '')}</td>` +
        `<td>${call.deleteAllHits === true ? 'delete' : ''}</td><td><code>${escapeHtml(excerpt(call.body))}</code></td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<title>Hotjar sandbox</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; margin-bottom: 1.5rem; }
td, th { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
code { white-space: pre-wrap; word-break: break-all; }
</style>
</head>
<body>
<h1>Hotjar sandbox</h1>
<p>API base <code>${escapeHtml(baseUrl)}</code>, token URL <code>${escapeHtml(baseUrl)}/v1/oauth/token</code>.
Stats as JSON: <a href="/_sandbox/stats">/_sandbox/stats</a>. Started ${escapeHtml(new Date(stats.startedAt).toISOString())}.</p>
<table>${counters.map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${value}</td></tr>`).join('')}</table>
<h2>By status</h2>
<table><tr><th>Status</th><th>Calls</th></tr>${statusCells}</table>
<h2>Last ${recent.length} received calls</h2>
<table><tr><th>At</th><th>Method</th><th>Path</th><th>Status</th><th>Subject</th><th></th><th>Body</th></tr>${callRows}</table>
</body>
</html>
`;
}

const MAX_EXCERPT_CHARS = 300;

function excerpt(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body) ?? '';
  return text.length > MAX_EXCERPT_CHARS ? `${text.slice(0, MAX_EXCERPT_CHARS)}…` : text;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
