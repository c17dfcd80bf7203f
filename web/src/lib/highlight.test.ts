import { describe, expect, it } from 'vitest';
import { highlightText, sanitizeHighlight } from './highlight.ts';

describe('sanitizeHighlight', () => {
  it('keeps marks around matches and the server’s escaping as it is', () => {
    expect(sanitizeHighlight('<mark>锂电池</mark>热失控预警 &lt;b&gt; &amp; &#39;x&#39;')).toBe(
      '<mark>锂电池</mark>热失控预警 &lt;b&gt; &amp; &#39;x&#39;',
    );
  });

  it('escapes any other markup, raw or disguised', () => {
    expect(sanitizeHighlight('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(sanitizeHighlight('<img src=x onerror="alert(1)">')).toBe('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(sanitizeHighlight('<mark onclick="x">a</mark>')).toBe('&lt;mark onclick=&quot;x&quot;&gt;a');
    expect(sanitizeHighlight('<MARK>a</MARK>')).toBe('&lt;MARK&gt;a&lt;/MARK&gt;');
    expect(sanitizeHighlight('<mark >a</mark >')).toBe('&lt;mark &gt;a&lt;/mark &gt;');
  });

  it('escapes a bare ampersand but not a well-formed reference', () => {
    expect(sanitizeHighlight('A&B &amp; &#x4e2d; &#20013; &bogus ; &')).toBe('A&amp;B &amp; &#x4e2d; &#20013; &amp;bogus ; &amp;');
  });

  it('balances marks: no stray closer, nothing nested, nothing left open', () => {
    expect(sanitizeHighlight('a</mark>b')).toBe('ab');
    expect(sanitizeHighlight('<mark>a<mark>b</mark>c</mark>')).toBe('<mark>ab</mark>c');
    expect(sanitizeHighlight('<mark>open')).toBe('<mark>open</mark>');
  });

  it('leaves plain text alone', () => {
    expect(sanitizeHighlight('工业机器人视觉检测')).toBe('工业机器人视觉检测');
    expect(sanitizeHighlight('')).toBe('');
  });
});

describe('highlightText', () => {
  it('drops the marks and decodes references', () => {
    expect(highlightText('<mark>AI</mark> &lt;质检&gt; &amp; &#39;视觉&#39;')).toBe("AI <质检> & '视觉'");
  });
});
