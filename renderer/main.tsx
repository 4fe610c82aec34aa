/**
 * Renderer entry: resolves the transport (Electron preload or served-mode HTTP) and mounts the app.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { resolveApi } from './api';
import { ApiContext } from './api/api-context';
import { App } from './app';

const container = document.getElementById('root');
if (container) {
  const api = resolveApi();
  createRoot(container).render(
    <StrictMode>
      <ApiContext.Provider value={api}>
        <App />
      </ApiContext.Provider>
    </StrictMode>,
  );
}
