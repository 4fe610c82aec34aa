/**
 * React context carrying the ConnectorApi, so pages can be rendered against any implementation.
 */
import { createContext, useContext } from 'react';
import type { ConnectorApi } from '../../shared/ipc-contract';

export const ApiContext = createContext<ConnectorApi | null>(null);

/** The ConnectorApi of the nearest ApiContext provider. */
export function useApi(): ConnectorApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi() needs an <ApiContext.Provider> above it');
  return api;
}
