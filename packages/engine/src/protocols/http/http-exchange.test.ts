/** OriginPrefix: a templated URL's fixed origin gives the same target as URL parsing, or none. */
import { describe, expect, it } from 'vitest';
import { OriginPrefix, parseTarget } from './http-exchange.js';

describe('OriginPrefix', () => {
  it('takes plain paths as URL would, and leaves the rest to URL', () => {
    const prefix = OriginPrefix.of('HTTP://Example.COM:80/items/${id}?q=${q}') as OriginPrefix;
    for (const url of ['HTTP://Example.COM:80/items/12?q=a', 'HTTP://Example.COM:80/items/12', 'HTTP://Example.COM:80/a/b;c=d?x=%41&y=~']) {
      expect(prefix.target(url)).toEqual(parseTarget(url, 'http'));
    }
    for (const url of ['HTTP://Example.COM:80/items/a b', 'HTTP://Example.COM:80/items/../x', 'HTTP://Example.COM:80/i#frag', 'HTTP://Example.COM:80/ü', 'http://other/x']) {
      expect(prefix.target(url)).toBeUndefined();
    }
    expect(OriginPrefix.of('http://${host}/x')).toBeUndefined();
    expect(OriginPrefix.of('${base}/x')).toBeUndefined();
    expect(OriginPrefix.of('http://h:8080${p}')).toBeUndefined();
    expect(OriginPrefix.of('https://h/x/${p}')?.target('https://h/x/1')).toEqual(parseTarget('https://h/x/1', 'http'));
  });
});
