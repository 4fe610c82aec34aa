/**
 * The Hyper engine: finds and runs Tableau's `hyperd`, writes payload `.hyper` files and reads them
 * back (tableau-rest.md §1.3).
 */
export { findHyperd, HYPERD_NPM_PACKAGE, type FindHyperdOptions } from './find-hyperd';
export { readHyperdVersion, parseHyperdVersion } from './hyperd-version';
export { startHyperEngine, hyperdEnvironment, HYPER_USER, type HyperEngine, type HyperEngineOptions, type HyperEngineEvent } from './hyper-engine';
export { writeHyperFile, copyFormatFor, supportsBinaryCopy, type CopyFormat, type HyperTableInput, type WriteHyperResult } from './hyper-writer';
export { readHyperRows } from './hyper-reader';
export { hyperColumnSql, hyperTypeSql, quoteIdent, quoteLiteral, qualifiedTable, createTableSql, type HyperTable } from './hyper-sql';
export { toCsvRow, createCsvEncoder } from './csv-encoder';
export { hyperTypeParsers, PgOid } from './hyper-types';
export { HyperdNotFoundError, HyperEngineError, toHyperError } from './hyper-errors';
