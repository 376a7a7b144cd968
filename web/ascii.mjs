// The page's files as ASCII. Chromium keeps a document, a script or a style
// sheet whose text is all ASCII one byte a character; a single "…" makes the
// whole text two bytes a character, slower to decode, tokenize and compile
// (the offline file's main-thread time to the first result fell by a fifth).
// The sources keep their characters; the build writes them as escapes that
// mean the same characters.

/** A character as JS escapes it: \uXXXX, or a surrogate pair of them. */
const jsEscape = (c) => [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');

/**
 * JS with every non-ASCII character as \u escapes, which mean that character
 * in a string, a template literal's value, a regular expression and an
 * identifier alike (in a comment they are text). String.raw would see the
 * escape, so a file that uses it is refused.
 */
export function asciiJs(js, name = 'a module') {
  if (!/[^\x00-\x7f]/.test(js)) return js;
  if (/\bString\.raw\b/.test(js)) throw new Error(`${name}: String.raw would read an escape, not its character`);
  return js.replace(/[^\x00-\x7f]/gu, jsEscape);
}

/** CSS with every non-ASCII character as a CSS escape ("\b7 "): the same in strings and names. */
export const asciiCss = (css) => css.replace(/[^\x00-\x7f]/gu, (c) => `\\${c.codePointAt(0).toString(16)} `);

/** Throws unless text is ASCII, naming the first other character. */
export function assertAscii(text, name) {
  const i = text.search(/[^\x00-\x7f]/);
  if (i >= 0) throw new Error(`${name}: "${text.slice(Math.max(0, i - 30), i + 10)}" is not ASCII (write it as an escape or an entity)`);
}
