/**
 * The names of temp siblings that atomic writes create (`.NAME.switchyard-tmp-UNIQUE`), in one
 * place: the writer makes them, observation skips them and recovery removes them, and nothing else
 * ever has such a name. Hidden (a leading dot), so neither `ls` nor s6-svscan lists them.
 */
export const MARK = ".switchyard-tmp-";

/** The temp sibling of `base`; `unique` tells apart concurrent writers (pid and a counter). */
export const of = (base: string, unique: string): string => `.${base}${MARK}${unique}`;

export const isTemp = (name: string): boolean => name.startsWith(".") && name.includes(MARK);
