/**
 * Single quoting as `/bin/sh` reads it (GRUB's lexer reads single quotes the same way): the word is
 * taken literally whatever it contains, an embedded quote written `'\''`. The one quoting function
 * of the code base; callers that must also keep control characters out do so before quoting.
 */
export const singleQuote = (word: string): string => `'${word.split("'").join("'\\''")}'`;
