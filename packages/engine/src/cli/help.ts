/**
 * What `perftest run --help` and `perftest run-url --help` print, and the exit codes of both
 * (docs/cli.md). The `perftest` entry (apps/api/src/cli/perftest.ts) lists these commands beside
 * `accounts` in its own help.
 */

/** Exit codes of run and run-url. */
export const EXIT = {
  /** The run finished and every KPI was met. */
  ok: 0,
  /** Something failed: the engine, writing the HTML report. */
  error: 1,
  /** Bad arguments, an unreadable case file, or a case that cannot run. */
  usage: 2,
  /** The run finished but a KPI was missed (the case's peak_load_kpis, or --min-success-rate / --max-avg-rt). */
  kpiMissed: 99,
} as const;

const OPTIONS = `options:
  -t, --threads N          engine threads (default 1)
      --json               print only one line of JSON at the end (with "kpis")
      --html FILE          also write the report as one self-contained HTML file
  -k, --insecure           do not verify TLS certificates
      --min-success-rate P fail the KPIs when the run's success rate is below P percent
      --max-avg-rt MS      fail the KPIs when the run's average response time is above MS
  -h, --help               print this help

KPIs: the case's peak_load_kpis (peak-load stages, judged second by second as the report does:
missed when one holds false 6 seconds in a row), and the two options above (whole run).

exit codes: 0 done and every KPI met, 1 error, 2 bad arguments or a case that cannot run,
            ${EXIT.kpiMissed} KPIs missed (the figures are printed and the HTML written all the same)`;

/** Usage of `perftest run`. */
export const RUN_HELP = `usage: perftest run CASE.json [options]

Runs the case in CASE.json on this machine: a case as the API stores it (CaseInfoDetail), with
optional "variables" and "transactions" arrays. Prints one progress line per second on stderr and
the summary (the report's performance figures) on stdout.

${OPTIONS}`;

/** Usage of `perftest run-url`. */
export const RUN_URL_HELP = `usage: perftest run-url URL -c CONNECTIONS -d SECONDS [--tps R] [options]

Loads one URL with GET (2xx is a success) from CONNECTIONS users for SECONDS seconds, or at R
iterations per second from a pool of CONNECTIONS users with --tps.

  -c, --connections N      users (required)
  -d, --duration S         seconds (required)
      --tps R              iterations per second (open model) instead of users looping

${OPTIONS}`;
