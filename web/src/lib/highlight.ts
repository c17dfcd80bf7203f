/**
 * Search highlights arrive as HTML: the server escapes the listing's text and wraps matches in
 * `<mark>`. They are rendered with `{@html}`, so this module does not trust that: it re-escapes
 * everything except the literal tags `<mark>` and `</mark>`, keeps the marks balanced (no stray
 * closing tag, none left open, none nested), and leaves well-formed character references
 * (`&lt;`, `&#39;`, `&#x4e2d;`) alone so the server's escaping is not applied twice. Text content
 * can hold nothing but text and marks after this, whatever the server sent.
 */

const TOKEN = /<mark>|<\/mark>|&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});|[&<>"']/g;

const ESCAPE: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe HTML for one highlighted string: only `<mark>…</mark>` survives as markup. */
export function sanitizeHighlight(html: string): string {
  let open = false;
  const out = html.replace(TOKEN, (token) => {
    if (token === '<mark>') {
      if (open) return '';
      open = true;
      return token;
    }
    if (token === '</mark>') {
      if (!open) return '';
      open = false;
      return token;
    }
    if (token.length > 1) return token; // a well-formed character reference
    return ESCAPE[token] ?? '';
  });
  return open ? `${out}</mark>` : out;
}

/** The plain text of a highlight (marks dropped, references decoded), e.g. for an accessible name. */
export function highlightText(html: string): string {
  return sanitizeHighlight(html)
    .replace(/<\/?mark>/g, '')
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);/gi, (whole, ref: string) => {
      const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
      if (ref[0] !== '#') return named[ref.toLowerCase()] ?? whole;
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    });
}
