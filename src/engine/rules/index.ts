/**
 * The rules that more than one surface applies (the coherency check, the language
 * server, `zxb getItem`): each predicate and each finding it produces lives here once,
 * with its words from the findings catalogue's templates. A surface gathers the facts
 * its own way (tables in the check, lazy lookups in the server) and asks these.
 */
export * from './layoutRules';
export * from './blobRules';
export * from './crossFileRules';
export * from './itemNeighbours';
