import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { maskDomain, maskLabel } from '@/lib/alerts/mask';

describe('maskDomain (CONTRACT.md "Telegram")', () => {
  it.each([
    // The contract's own examples.
    ['shop.example.com', 's***.ex***le.com'],
    ['a.b.co.uk', 'a***.b***.co.uk'],
    // Four characters or fewer keep only their first.
    ['abcd.com', 'a***.com'],
    ['ab.io', 'a***.io'],
    // Five and more keep the first two and last two, literally.
    ['abcde.com', 'ab***de.com'],
    ['abcdef.org', 'ab***ef.org'],
    ['api.staging.example.co.uk', 'a***.st***ng.ex***le.co.uk'],
    // Multi-label ICANN suffixes stay whole.
    ['shop.example.com.au', 's***.ex***le.com.au'],
    // PSL wildcard and exception rules: `*.kawasaki.jp` but `!city.kawasaki.jp`.
    ['shop.anything.kawasaki.jp', 's***.anything.kawasaki.jp'],
    ['www.city.kawasaki.jp', 'w***.c***.kawasaki.jp'],
    // Private-section suffixes are not kept (they would reveal customer names and addresses).
    ['myapp.herokuapp.com', 'my***pp.he***pp.com'],
    ['ec2-1-2-3-4.compute-1.amazonaws.com', 'ec***-4.co***-1.am***ws.com'],
    // No ICANN suffix: every label is masked.
    ['db01.internal', 'd***.in***al'],
    ['nas.lan', 'n***.l***'],
    ['localhost', 'lo***st'],
    // Nothing but a public suffix: only the top-level label stays.
    ['co.uk', 'c***.uk'],
    ['shop.er', 's***.er'],
    ['com', 'com'],
    // IDN: masked in Unicode form, whichever form came in.
    ['xn--bcher-kva.de', 'bü***er.de'],
    ['bücher.de', 'bü***er.de'],
    ['пример.рф', 'пр***ер.рф'],
    ['shop.xn--p1ai', 's***.рф'],
    // Case kept, trailing root dot dropped, wildcards masked like any label.
    ['Shop.Example.COM.', 'S***.Ex***le.COM'],
    ['*.example.com', '****.ex***le.com'],
  ])('%s → %s', (fqdn, masked) => {
    expect(maskDomain(fqdn)).toBe(masked);
  });

  it('counts code points, not UTF-16 units', () => {
    expect(maskLabel('😀😀😀😀😀')).toBe('😀😀***😀😀');
    expect(maskLabel('😀😀')).toBe('😀***');
  });

  it('is idempotent, so masked names survive the sanitizer', () => {
    const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?$/);
    const suffix = fc.constantFrom('com', 'co.uk', 'de', 'io', 'com.au', 'lan', 'internal', 'xn--p1ai');
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), suffix, (labels, sfx) => {
        const once = maskDomain([...labels, sfx].join('.'));
        expect(maskDomain(once)).toBe(once);
      }),
    );
  });

  it('never keeps three consecutive characters of a masked label', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{2,30}[a-z0-9]$/);
    fc.assert(
      fc.property(label, (l) => {
        const masked = maskLabel(l);
        for (let i = 0; i + 3 <= l.length; i++) expect(masked).not.toContain(l.slice(i, i + 3));
      }),
    );
  });
});
