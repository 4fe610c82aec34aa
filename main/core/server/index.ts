/**
 * The headless server (served mode): see shared/http-api.ts.
 */
export { startServer, CSP, type ServerOptions, type RunningServer } from './http-server';
