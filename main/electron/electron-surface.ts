/**
 * The part of Electron's API the shell uses, as narrow structural types.
 *
 * It is a structural subset of the real module: entry.ts assigns the real `electron` module to
 * `ElectronSurface<NativeImage, Menu>` with no cast, so `tsc` checks every member here against
 * node_modules/electron/electron.d.ts (a made-up API, or a wrong signature, fails the typecheck;
 * test/electron/surface-types.ts proves it with `@ts-expect-error`). The shell only sees this
 * surface, so it cannot call anything else. The tests pass a fake that satisfies it too, so the
 * shell runs under plain Node with no Electron binary.
 *
 * `Image` and `MenuT` are the module's own image and menu classes (opaque to the shell): the real
 * NativeImage and Menu in the app, plain objects in the fake.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface NavigationEventLike {
  preventDefault(): void;
}

export interface WebContentsLike {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  on(event: 'will-navigate', listener: (event: NavigationEventLike, url: string) => void): unknown;
  /** The page's `beforeunload` asked to stay (unsaved settings); preventDefault lets it unload after all. */
  on(event: 'will-prevent-unload', listener: (event: NavigationEventLike) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface BrowserWindowLike {
  readonly webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  on(event: 'closed', listener: () => void): unknown;
}

export interface BrowserWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  backgroundColor: string;
  /** No menu bar (Windows, Linux); the packaged app has no application menu at all. */
  autoHideMenuBar: boolean;
  webPreferences: {
    preload: string;
    contextIsolation: true;
    sandbox: true;
    nodeIntegration: false;
    nodeIntegrationInWorker: false;
    webSecurity: true;
    allowRunningInsecureContent: false;
    webviewTag: false;
    spellcheck: boolean;
    /** Off in packaged builds: no DevTools for whoever sits at the workstation. */
    devTools: boolean;
  };
}

export interface TrayLike<Image, MenuT> {
  setToolTip(text: string): void;
  setImage(image: Image): void;
  setContextMenu(menu: MenuT | null): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface IpcMainInvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface NotificationLike {
  show(): void;
  on(event: 'click', listener: () => void): unknown;
}

export interface ImageFactory<Image> {
  createFromPath(path: string): Image;
}

export interface QuitEventLike {
  preventDefault(): void;
}

export interface AppSurface {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance', listener: () => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: QuitEventLike) => void): unknown;
  whenReady(): Promise<void>;
  quit(): void;
  exit(exitCode?: number): void;
  getPath(name: 'userData' | 'logs' | 'appData' | 'home'): string;
  setPath(name: string, path: string): void;
  getVersion(): string;
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
  /** Windows: notifications are attributed to this id (it must match electron-builder's appId). */
  setAppUserModelId(id: string): void;
  readonly isPackaged: boolean;
  /** macOS only (undefined elsewhere). */
  readonly dock: { hide(): void } | undefined;
}

/** What a protocol handler receives and answers (the global fetch types, as Electron's are). */
export type ProtocolHandler = (request: Request) => Response | Promise<Response>;

export interface ProtocolSurface {
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges?: { standard?: boolean; secure?: boolean; supportFetchAPI?: boolean } }[]): void;
  handle(scheme: string, handler: ProtocolHandler): void;
}

export interface SessionLike {
  setPermissionRequestHandler(handler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string) => boolean) | null): void;
}

export interface ElectronSurface<Image, MenuT> {
  app: AppSurface;
  BrowserWindow: new (options: BrowserWindowOptions) => BrowserWindowLike;
  Tray: new (image: Image) => TrayLike<Image, MenuT>;
  Menu: { buildFromTemplate(template: MenuItemConstructorOptions[]): MenuT; setApplicationMenu(menu: MenuT | null): void };
  nativeImage: ImageFactory<Image>;
  ipcMain: IpcMainLike;
  Notification: (new (options: { title: string; body: string; silent?: boolean }) => NotificationLike) & { isSupported(): boolean };
  net: { fetch(url: string, init?: RequestInit): Promise<Response> };
  protocol: ProtocolSurface;
  session: { readonly defaultSession: SessionLike };
  dialog: {
    showErrorBox(title: string, content: string): void;
    /** Electron's `dialog.showMessageBox(options)`: resolves with the index of the button pressed. */
    showMessageBox(options: MessageBoxOptions): Promise<{ response: number }>;
    /** Electron's `dialog.showMessageBoxSync(options)`: the index of the button pressed (will-prevent-unload must decide at once). */
    showMessageBoxSync(options: MessageBoxOptions): number;
  };
}

/** The part of Electron's MessageBoxOptions the shell uses. */
export interface MessageBoxOptions {
  type?: 'none' | 'info' | 'error' | 'question' | 'warning';
  title?: string;
  message: string;
  detail?: string;
  buttons?: string[];
  defaultId?: number;
  cancelId?: number;
}
