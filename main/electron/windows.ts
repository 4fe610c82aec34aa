/**
 * The app window, locked down explicitly rather than trusting Electron's changing defaults
 * (Electron security checklist, https://www.electronjs.org/docs/latest/tutorial/security): context isolation, sandbox, no Node in the
 * page, web security on in development too, navigation and new windows denied.
 */
import type { BrowserWindowLike, BrowserWindowOptions, ElectronSurface } from './electron-surface';

type DialogSurface = Pick<ElectronSurface<unknown, unknown>['dialog'], 'showMessageBoxSync'>;

/**
 * Asks before the window closes or reloads over unsaved settings (issue #14 point 7). The page's
 * `beforeunload` handler (renderer/app.tsx) asks to stay; Electron shows no dialog for that, it
 * only emits will-prevent-unload, and preventDefault there lets the page go
 * (https://www.electronjs.org/docs/latest/api/web-contents#event-will-prevent-unload). The choice
 * must be made inside the handler, hence the synchronous dialog.
 */
export function askBeforeLeaving(win: BrowserWindowLike, dialog: DialogSurface): void {
  win.webContents.on('will-prevent-unload', (event) => {
    const leave = dialog.showMessageBoxSync({
      type: 'question',
      title: 'Unsaved settings',
      message: 'Leave without saving your settings?',
      detail: 'The changes you made in Settings are not saved yet.',
      buttons: ['Leave', 'Stay'],
      defaultId: 1,
      cancelId: 1,
    });
    if (leave === 0) event.preventDefault();
  });
}

export type Page = 'status' | 'settings' | 'logs' | 'history';

export function secureWindowOptions(preloadPath: string, opts: { devTools: boolean } = { devTools: true }): BrowserWindowOptions {
  return {
    width: 900,
    height: 700,
    minWidth: 420,
    minHeight: 520,
    show: false,
    title: 'ml-connector',
    backgroundColor: '#1e1f22',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: opts.devTools,
    },
  };
}

/** Denies every navigation away from the app page and every new window. */
export function hardenWindow(win: BrowserWindowLike, isAppUrl: (url: string) => boolean, onDenied?: (url: string) => void): void {
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) {
      event.preventDefault();
      onDenied?.(url);
    }
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    onDenied?.(url);
    return { action: 'deny' };
  });
}

/** Opens (or focuses) the single app window on a page. */
export class WindowManager {
  private win: BrowserWindowLike | null = null;

  constructor(
    private readonly electron: Pick<ElectronSurface<unknown, unknown>, 'BrowserWindow'> & { dialog: DialogSurface },
    private readonly opts: {
      preloadPath: string;
      /** DevTools allowed (development builds only). */
      devTools: boolean;
      pageUrl: (page: Page) => string;
      isAppUrl: (url: string) => boolean;
      onCreated: (win: BrowserWindowLike) => void;
      onClosed: (webContentsId: number) => void;
    },
  ) {}

  get current(): BrowserWindowLike | null {
    return this.win && !this.win.isDestroyed() ? this.win : null;
  }

  async open(page: Page): Promise<BrowserWindowLike> {
    let win = this.current;
    if (!win) {
      win = new this.electron.BrowserWindow(secureWindowOptions(this.opts.preloadPath, { devTools: this.opts.devTools }));
      const id = win.webContents.id;
      hardenWindow(win, this.opts.isAppUrl);
      askBeforeLeaving(win, this.electron.dialog);
      win.on('closed', () => {
        this.opts.onClosed(id);
        this.win = null;
      });
      this.win = win;
      this.opts.onCreated(win);
    }
    await win.loadURL(this.opts.pageUrl(page));
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    return win;
  }
}
