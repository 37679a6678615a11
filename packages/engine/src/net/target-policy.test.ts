import { describe, expect, it } from 'vitest';
import type { TargetPolicySpec } from '@perftest/model';
import { DEFAULT_DENY, TargetDeniedError, TargetPolicy } from './target-policy.js';
import { buildTargetPolicy, reserveListenAddress } from './policy-spec.js';
import { parseTargetRule } from './target-rules.js';

const rules = (source: string, ...list: string[]) => list.map((rule) => ({ rule, source }));

/** The API's default shape: the server on 127.0.0.1:8080, the database on 127.0.0.1:5432. */
const SERVER: TargetPolicySpec = {
  allow: [],
  deny: [...DEFAULT_DENY],
  reserved: [...rules('the server', '127.0.0.0/8:8080', '0.0.0.0:8080', '[::]:8080', '[::1]:8080'), ...rules('the database', '127.0.0.0/8:5432', '0.0.0.0:5432')],
};

describe('target rules', () => {
  it('parse every notation to the same address and refuse what is not a rule', () => {
    for (const text of ['127.0.0.1', '127.1', '2130706433', '0x7f000001', '0177.0.0.1', '::ffff:127.0.0.1', '[::ffff:127.0.0.1]']) {
      const rule = parseTargetRule(text, 'test');
      expect(typeof rule === 'string' ? rule : rule.range?.[0].toString(), text).toBe('127.0.0.1');
    }
    const mapped = parseTargetRule('[::ffff:10.0.0.0/104]:80', 'test');
    expect(typeof mapped !== 'string' && [mapped.range?.[0].toString(), mapped.range?.[1], mapped.port]).toEqual(['10.0.0.0', 8, 80]);
    expect(parseTargetRule('*.Example.COM.', 'x')).toMatchObject({ suffix: '.example.com', specificity: 127 });
    expect(parseTargetRule('db:5432', 'x')).toMatchObject({ name: 'db', port: 5432 });
    expect(parseTargetRule('*:22', 'x')).toMatchObject({ port: 22, specificity: 0 });
    for (const bad of ['', '10.0.0.0/33', 'a b', 'host:0', 'host:65536', '[::1', 'http://x', '[::1]x']) {
      expect(typeof parseTargetRule(bad, 'x'), bad).toBe('string');
    }
  });
});

describe('target policy', () => {
  const policy = TargetPolicy.compile(SERVER);

  it('denies the server, the database and metadata in every notation, and allows other loopback ports', () => {
    for (const address of ['127.0.0.1', '127.1', '2130706433', '0x7f000001', '::ffff:127.0.0.1', '0.0.0.0', '127.9.9.9', '::1', '::']) {
      expect(policy.literalDenial(address, 8080), address).toMatch(/^target denied by policy: .*:8080 is the server/);
    }
    expect(policy.literalDenial('0.0.0.0', 5432)).toMatch(/^target denied by policy: 0\.0\.0\.0:5432 is the database \(127\.0\.0\.0\/8:5432\)$/);
    expect(policy.literalDenial('169.254.169.254', 80)).toMatch(/^target denied by policy: 169\.254\.169\.254:80 matches 169\.254\.0\.0\/16/);
    expect(policy.literalDenial('fe80::1%eth0', 80)).toMatch(/matches fe80::\/10/);
    expect(policy.literalDenial('[fd00:ec2::254]', 80)).toMatch(/matches fd00:ec2::254/);
    expect(policy.literalDenial('::ffff:169.254.169.254', 80)).toMatch(/matches 169\.254\.0\.0\/16/);
    expect(policy.literalDenial('127.0.0.1', 8081)).toBeUndefined();
    expect(policy.literalDenial('localhost', 8080)).toBeUndefined(); // a name: its lookup decides
    expect(policy.denial('127.0.0.1', 8080, 'localhost')).toMatch(/127\.0\.0\.1:8080 \(localhost\) is the server/);
    // URLs as cards write them: the scheme's default port, a missing scheme, templates and names left to the connect
    expect(policy.urlDenial('http://user@0x7f000001:8080/health')).toMatch(/is the server/);
    expect(policy.urlDenial('[::1]:8080/x')).toMatch(/is the server/);
    expect(policy.urlDenial('rtmp://169.254.1.1/live/s')).toMatch(/169\.254\.1\.1:1935 matches/);
    expect(policy.urlDenial('mqtts://[fe80::1]')).toMatch(/:8883 matches fe80::\/10/);
    expect([policy.urlDenial('http://${host}:8080/'), policy.urlDenial('http://localhost:8080/'), policy.urlDenial('tcp://127.0.0.1')]).toEqual([undefined, undefined, undefined]);
  });

  it('lets the most specific rule decide, deny on ties, and never opens a reserved endpoint', () => {
    const locked = TargetPolicy.compile({
      allow: rules('PERFTEST_TARGET_ALLOW', '10.1.2.3', 'sut.example.com', '0.0.0.0/0:80', '127.0.0.1:8080', '169.254.10.10'),
      deny: [...DEFAULT_DENY, ...rules('PERFTEST_TARGET_DENY', '10.0.0.0/8', '127.0.0.0/8', '*.corp.example', '10.1.2.3')],
      reserved: SERVER.reserved,
    });
    expect(locked.literalDenial('10.9.9.9', 443)).toMatch(/matches 10\.0\.0\.0\/8 \(PERFTEST_TARGET_DENY\)/);
    expect(locked.literalDenial('10.1.2.3', 443)).toMatch(/matches 10\.1\.2\.3 \(PERFTEST_TARGET_DENY\)/); // tie: deny
    expect(locked.denial('10.7.7.7', 443, 'sut.example.com')).toBeUndefined(); // a name beats a /8
    expect(locked.denial('10.7.7.7', 443, 'a.corp.example')).toMatch(/matches \*\.corp\.example/);
    expect(locked.literalDenial('169.254.169.254', 80)).toMatch(/169\.254\.0\.0\/16/); // /0:80 is less specific than /16
    expect(locked.literalDenial('169.254.10.10', 80)).toBeUndefined(); // an explicit address opens it
    expect(locked.literalDenial('127.0.0.1', 8080)).toMatch(/is the server/); // reserved wins over any allow
    expect(locked.literalDenial('8.8.8.8', 443)).toBeUndefined();
    // 0.0.0.0 and :: reach this machine: a deny of loopback covers them
    expect(locked.literalDenial('0.0.0.0', 9999)).toMatch(/^target denied by policy: 0\.0\.0\.0:9999 matches 127\.0\.0\.0\/8/);
    const only = TargetPolicy.compile({ allow: rules('allow', '[::1]:9000'), deny: rules('deny', '*'), reserved: [] });
    expect(only.literalDenial('::1', 9000)).toBeUndefined();
    expect(only.literalDenial('::', 9000)).toBeUndefined();
    expect(only.literalDenial('::1', 9001)).toMatch(/matches \* \(deny\)/);
  });

  it('checks every resolved address inside the lookup: denied ones dropped, none left is a TargetDeniedError', async () => {
    const answers: Record<string, Array<{ address: string; family: number }>> = {
      'rebind.test': [{ address: '169.254.169.254', family: 4 }],
      'mixed.test': [
        { address: '127.0.0.1', family: 4 },
        { address: '192.0.2.7', family: 4 },
      ],
    };
    const resolving = TargetPolicy.compile(SERVER, { resolve: async (name) => answers[name] ?? [] });
    const lookup = (name: string, port: number, all: boolean) =>
      new Promise<{ err: Error | null; address: unknown }>((resolve) =>
        resolving.lookupFor(port)(name, { all }, (err, address) => resolve({ err, address })),
      );
    const rebound = await lookup('rebind.test', 80, false);
    expect(rebound.err).toBeInstanceOf(TargetDeniedError);
    expect(rebound.err?.message).toBe('target denied by policy: 169.254.169.254:80 (rebind.test) matches 169.254.0.0/16 (link-local and cloud metadata, denied by default)');
    expect((await lookup('mixed.test', 8080, true)).address).toEqual([{ address: '192.0.2.7', family: 4 }]);
    expect((await lookup('mixed.test', 8081, false)).address).toBe('127.0.0.1');
    expect((await lookup('nothing.test', 80, false)).err?.message).toMatch(/nothing\.test resolved to no address/);
    expect(resolving.lookupFor(80)).toBe(resolving.lookupFor(80));
  });
});

describe('building the policy from configuration', () => {
  const names: Record<string, string[]> = { db: ['10.0.0.9'], localhost: ['127.0.0.1', '::1'], 'api.internal': ['10.0.0.2'] };
  const resolve = async (name: string) => {
    if (!(name in names)) throw new Error(`getaddrinfo ENOTFOUND ${name}`);
    return names[name];
  };

  it('reserves the database by name and address, a local one on every local address, and the listen port', async () => {
    const remote = await buildTargetPolicy({ allow: ['10.0.0.0/8'], deny: ['api.internal:8080', 'gone.example'], databaseUrl: 'postgres://u:p@db:6543/x', resolve });
    expect(remote.spec.reserved).toEqual(rules('the database', 'db:6543', '10.0.0.9:6543'));
    expect(remote.spec.deny.map((r) => r.rule)).toEqual([...DEFAULT_DENY.map((r) => r.rule), 'api.internal:8080', '10.0.0.2:8080', 'gone.example']);
    expect(remote.warnings).toEqual(['PERFTEST_TARGET_DENY: cannot resolve gone.example (getaddrinfo ENOTFOUND gone.example); it is denied by name only']);
    const policy = TargetPolicy.compile(remote.spec);
    expect(policy.literalDenial('10.0.0.9', 6543)).toMatch(/is the database/); // the allow of 10.0.0.0/8 cannot open it
    expect(policy.literalDenial('10.0.0.2', 8080)).toMatch(/matches 10\.0\.0\.2:8080 \(PERFTEST_TARGET_DENY\)/);
    expect(policy.literalDenial('10.0.0.2', 8081)).toBeUndefined();

    const local = await buildTargetPolicy({ allow: [], deny: [], databaseUrl: 'postgresql://postgres@localhost/test', listen: { host: '0.0.0.0', port: 0 }, resolve });
    const compiled = TargetPolicy.compile(local.spec);
    for (const address of ['127.0.0.1', '127.0.0.2', '0.0.0.0', '::1', '::ffff:127.0.0.1']) expect(compiled.literalDenial(address, 5432), address).toMatch(/is the database/);
    expect(compiled.literalDenial('127.0.0.1', 8080)).toBeUndefined(); // port 0: the listen port is added once known
    expect(await reserveListenAddress(local.spec, { host: '0.0.0.0', port: 8080 })).toEqual([]);
    expect(compiled.literalDenial('127.0.0.1', 8080)).toBeUndefined(); // a compiled policy is a snapshot
    expect(TargetPolicy.compile(local.spec).literalDenial('2130706433', 8080)).toMatch(/is the server's own listen address/);
  });
});
