// Reading JSON bodies. The raw text is kept for request signatures; before it is parsed, one pass
// over it bounds how many object keys and how deep a nesting it may hold, so a body built to be
// expensive (tens of thousands of keys for the parser, the schema validator and its error list to
// walk) is refused for the price of reading it.
import secureJson from 'secure-json-parse';
import { ValidationFailed } from '../core/errors.js';

/** Object keys in one body, all objects together: the largest real body (a product) has a few hundred. */
export const MAX_BODY_KEYS = 1000;
/** Objects and arrays nested in one another: real bodies nest four deep. */
export const MAX_BODY_DEPTH = 20;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/**
 * Throws ValidationFailed when the text holds more than MAX_BODY_KEYS keys or nests deeper than
 * MAX_BODY_DEPTH; linear, allocation-free. Malformed text passes: the parser refuses it next.
 */
export function checkJsonShape(text: string): void {
  let keys = 0;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === COLON) {
      // Outside strings a colon only ever ends a key.
      if (++keys > MAX_BODY_KEYS) {
        throw new ValidationFailed(`The body has more than ${MAX_BODY_KEYS} keys; no request needs that many.`, [{ field: 'body', message: `at most ${MAX_BODY_KEYS} keys` }]);
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > MAX_BODY_DEPTH) {
        throw new ValidationFailed(`The body nests objects and arrays more than ${MAX_BODY_DEPTH} deep; no request needs that.`, [{ field: 'body', message: `at most ${MAX_BODY_DEPTH} levels deep` }]);
      }
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
}

/** The body as a value: undefined when blank; `__proto__`/`constructor` keys dropped; shape checked first. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  checkJsonShape(text);
  try {
    return secureJson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' });
  } catch {
    throw new SyntaxError('The body is not valid JSON.');
  }
}
