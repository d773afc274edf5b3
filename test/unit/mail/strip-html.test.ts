import { describe, expect, it } from 'vitest';
import { stripHtml } from '../../../lambdas/domain/mail/strip-html.ts';

describe('stripHtml', () => {
  it('turns line-ending tags into line breaks and drops the others', () => {
    expect(stripHtml('<p>one</p><div>two<br/>three</div><b>four</b>')).toBe(
      ' one\n two\nthree\n four ',
    );
  });

  it('keeps link targets, which can be evidence (crt.sh links)', () => {
    expect(stripHtml('<a href="https://crt.sh/?id=42">see</a>')).toContain('https://crt.sh/?id=42');
    expect(stripHtml("<img src='https://x.example/i.png'>")).toContain('https://x.example/i.png');
  });

  it('decodes the entities of PEM, base64 and URLs once, not twice', () => {
    expect(stripHtml('a&#43;b&#x2F;c&#61;&amp;lt;&nbsp;&QUOT;')).toBe('a+b/c=&lt; "');
  });

  it('reads a text of unclosed tags in time linear in its length', () => {
    // Fastest of five runs: the machine's noise only ever adds time.
    const cost = (n: number) => {
      const text = '<'.concat('a'.repeat(2000)).repeat(n);
      let best = Number.POSITIVE_INFINITY;
      for (let run = 0; run < 5; run++) {
        const start = performance.now();
        stripHtml(text);
        best = Math.min(best, performance.now() - start);
      }
      return best;
    };
    const small = cost(50);
    const large = cost(400);
    // Eight times the input: linear is about 8 times the cost, quadratic 64.
    expect(large).toBeLessThan(small * 8 * 3 + 50);
  });
});
