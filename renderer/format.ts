/** The window formats through the one shared formatter (shared/format.ts). */
export * from '../shared/format';
