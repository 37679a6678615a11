/**
 * The target policy as plain data: which addresses the engine may connect to (docs/security.md,
 * "Target policy"). The API and the worker build it from their configuration; it crosses to engine
 * threads inside their run options, where the engine compiles it (packages/engine/src/net/).
 */

/** One rule: an address, CIDR range, host name, `*.domain` or `*`, optionally with `:port`. */
export interface TargetRuleSpec {
  rule: string;
  /** Where the rule comes from, for messages: `PERFTEST_TARGET_DENY`, "the database"... */
  source: string;
}

/** The server-wide policy: the most specific matching rule of `allow` and `deny` decides; `reserved` is always denied. */
export interface TargetPolicySpec {
  allow: TargetRuleSpec[];
  deny: TargetRuleSpec[];
  /** Endpoints no rule can open (the server's own listen address and port, the database's). */
  reserved: TargetRuleSpec[];
}
