/** Column definitions of model tables (the published data sources' columns), in the streams' ColumnDef shape. */
import type { ColumnDef } from '../streams/types';

export const textCol = (name: string, nullable = true): ColumnDef => ({ name, source: name, type: 'text', nullable });
export const dateCol = (name: string, nullable = true): ColumnDef => ({ name, source: name, type: 'date', nullable });
export const bigintCol = (name: string, nullable = true): ColumnDef => ({ name, source: name, type: 'bigint', nullable });
/** Money: NUMERIC(18,2), as the streams' amounts. */
export const moneyCol = (name: string, nullable = true): ColumnDef => ({ name, source: name, type: 'numeric', nullable, precision: 18, scale: 2 });
export const boolCol = (name: string, nullable = true): ColumnDef => ({ name, source: name, type: 'bool', nullable });
