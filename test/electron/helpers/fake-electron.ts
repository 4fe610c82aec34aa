/**
 * A fake of the parts of `electron` the shell uses, recording what the shell does with them.
 * Typed against ElectronSurface (which the real module satisfies), so it cannot drift silently,
 * and faithful to Electron's run-time rules the types cannot express: windows, trays, protocol
 * handlers, sessions and net.fetch only after `ready`; custom schemes registered only before it
 * (Electron docs: protocol.registerSchemesAsPrivileged "can only be used before the ready event");
 * `before-quit` listeners may cancel the quit with preventDefault().
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { FakeNetFetch } from './fake-net-fetch';
import type {
  BrowserWindowLike,
  BrowserWindowOptions,
  ElectronSurface,
  IpcMainInvokeEventLike,
  IpcMainLike,
  NotificationLike,
  MessageBoxOptions,
  ProtocolHandler,
  TrayLike,
  WebContentsLike,
} from '../../../main/electron/electron-surface';

type Handler = (event: IpcMainInvokeEventLike, ...args: unknown[]) => Promise<unknown>;

let nextId = 1;
/** Electron's app state, shared by the classes (there is one app per process). */
const appState = { ready: false };
function assertReady(what: string) {
  if (!appState.ready) throw new Error(`Cannot create ${what} before the app is ready`);
}

export class FakeWebContents implements WebContentsLike {
  readonly id = nextId++;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  destroyed = false;
  navigateListeners: ((event: { preventDefault(): void }, url: string) => void)[] = [];
  openHandler: ((d: { url: string }) => { action: 'deny' }) | null = null;
  send(channel: string, ...args: unknown[]) {
    this.sent.push({ channel, args });
  }
  isDestroyed() {
    return this.destroyed;
  }
  unloadListeners: ((event: { preventDefault(): void }) => void)[] = [];
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }, url: string) => void): this;
  on(event: 'will-prevent-unload', listener: (event: { preventDefault(): void }) => void): this;
  on(event: 'will-navigate' | 'will-prevent-unload', listener: (event: { preventDefault(): void }, url: string) => void) {
    // As Electron: will-prevent-unload fires only when the page's beforeunload asked to stay.
    if (event === 'will-prevent-unload') this.unloadListeners.push(listener as (event: { preventDefault(): void }) => void);
    else this.navigateListeners.push(listener);
    return this;
  }
  /** Simulates a close or reload the page's beforeunload refused; returns whether the page unloads after all. */
  tryUnloadRefusedByPage(): boolean {
    let unload = false;
    for (const l of this.unloadListeners) l({ preventDefault: () => (unload = true) });
    return unload;
  }
  setWindowOpenHandler(handler: (d: { url: string }) => { action: 'deny' }) {
    this.openHandler = handler;
  }
  /** Simulates the page trying to navigate; returns whether it was prevented. */
  tryNavigate(url: string): boolean {
    let prevented = false;
    for (const l of this.navigateListeners) l({ preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

export class FakeBrowserWindow implements BrowserWindowLike {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  url = '';
  shown = 0;
  destroyed = false;
  private closedListeners: (() => void)[] = [];
  constructor(readonly options: BrowserWindowOptions) {
    assertReady('BrowserWindow');
    FakeBrowserWindow.instances.push(this);
  }
  async loadURL(url: string) {
    this.url = url;
  }
  show() {
    this.shown++;
  }
  focus() {}
  isDestroyed() {
    return this.destroyed;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  on(_event: 'closed', listener: () => void) {
    this.closedListeners.push(listener);
    return this;
  }
  close() {
    this.destroyed = true;
    this.webContents.destroyed = true;
    for (const l of this.closedListeners) l();
  }
}

export type FakeImage = { path: string };
export type FakeMenu = { template: MenuItemConstructorOptions[] };

export class FakeTray implements TrayLike<FakeImage, FakeMenu> {
  static instances: FakeTray[] = [];
  tooltip = '';
  image: FakeImage;
  menu: FakeMenu | null = null;
  destroyed = false;
  private clickListeners: (() => void)[] = [];
  constructor(image: FakeImage) {
    assertReady('Tray');
    this.image = image;
    FakeTray.instances.push(this);
  }
  setToolTip(text: string) {
    this.tooltip = text;
  }
  setImage(image: FakeImage) {
    this.image = image;
  }
  setContextMenu(menu: FakeMenu | null) {
    this.menu = menu;
  }
  on(_event: 'click', listener: () => void) {
    this.clickListeners.push(listener);
    return this;
  }
  click() {
    for (const l of this.clickListeners) l();
  }
  destroy() {
    this.destroyed = true;
  }
  /** Clicks the context-menu item with this label. */
  clickMenu(label: string) {
    const item = this.menu?.template.find((i) => i.label === label);
    if (!item) throw new Error(`no menu item "${label}" in ${JSON.stringify(this.menu?.template.map((i) => i.label))}`);
    (item.click as () => void)();
  }
}

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler) {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  /** Calls a handler as a renderer would. */
  invoke(channel: string, sender: { id: number; url: string | null }, ...args: unknown[]) {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`no handler for ${channel}`);
    return h({ sender: { id: sender.id }, senderFrame: sender.url === null ? null : { url: sender.url } }, ...args);
  }
}

export class FakeNotification implements NotificationLike {
  static shown: FakeNotification[] = [];
  private clickListeners: (() => void)[] = [];
  constructor(readonly options: { title: string; body: string; silent?: boolean }) {}
  static isSupported() {
    return true;
  }
  show() {
    FakeNotification.shown.push(this);
  }
  on(_event: 'click', listener: () => void) {
    this.clickListeners.push(listener);
    return this;
  }
  click() {
    for (const l of this.clickListeners) l();
  }
}

export interface FakeElectronOptions {
  lock?: boolean;
  userData?: string;
  isPackaged?: boolean;
  /** The net.fetch to expose (default: one that answers every call with a fixed text). */
  netFetch?: FakeNetFetch;
}

export function createFakeElectron(opts: FakeElectronOptions = {}) {
  FakeBrowserWindow.instances = [];
  FakeTray.instances = [];
  FakeNotification.shown = [];
  appState.ready = false;
  const appListeners = new Map<string, ((...args: unknown[]) => void)[]>();
  const calls = {
    quit: 0,
    exit: [] as (number | undefined)[],
    loginItem: [] as { openAtLogin: boolean }[],
    appUserModelId: [] as string[],
    applicationMenu: [] as (FakeMenu | null)[],
    dockHidden: 0,
    errorBoxes: [] as { title: string; content: string }[],
    messageBoxes: [] as MessageBoxOptions[],
    /** The buttons the user presses in the next message boxes (default: the cancel button). */
    messageBoxAnswers: [] as number[],
    permissionAnswers: [] as { permission: string; granted: boolean }[],
    quitPrevented: 0,
  };
  const ipcMain = new FakeIpcMain();
  const paths = new Map<string, string>();
  const base = opts.userData ?? '/tmp/ml-connector-fake';
  const schemes: string[] = [];
  const protocolHandlers = new Map<string, ProtocolHandler>();
  let permissionRequest: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | null = null;
  let permissionCheck: ((wc: unknown, permission: string) => boolean) | null = null;
  const net = opts.netFetch ?? null;
  let quitted = false;
  const emit = (event: string, ...args: unknown[]) => {
    for (const l of appListeners.get(event) ?? []) l(...args);
  };
  const electron = {
    app: {
      requestSingleInstanceLock: () => opts.lock ?? true,
      on(event: string, listener: (event: { preventDefault(): void }) => void) {
        appListeners.set(event, [...(appListeners.get(event) ?? []), listener as (...args: unknown[]) => void]);
        return this;
      },
      whenReady: async () => {
        appState.ready = true;
        net?.markReady();
      },
      quit: () => {
        calls.quit++;
        let prevented = false;
        emit('before-quit', { preventDefault: () => void (prevented = true) });
        if (prevented) calls.quitPrevented++;
        else quitted = true;
      },
      exit: (code?: number) => void calls.exit.push(code),
      getPath: (name: 'userData' | 'logs' | 'appData' | 'home') => paths.get(name) ?? `${base}/${name}`,
      setPath: (name: string, path: string) => void paths.set(name, path),
      getVersion: () => '0.1.0',
      setLoginItemSettings: (s: { openAtLogin: boolean }) => void calls.loginItem.push(s),
      setAppUserModelId: (id: string) => void calls.appUserModelId.push(id),
      isPackaged: opts.isPackaged ?? false,
      dock: { hide: () => void calls.dockHidden++ } as { hide(): void } | undefined,
    },
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Menu: {
      buildFromTemplate: (template: MenuItemConstructorOptions[]): FakeMenu => ({ template }),
      setApplicationMenu: (menu: FakeMenu | null) => void calls.applicationMenu.push(menu),
    },
    nativeImage: { createFromPath: (path: string): FakeImage => ({ path }) },
    ipcMain,
    Notification: FakeNotification,
    net: {
      fetch: (url: string, init?: RequestInit) => (net ? net.fetch(url, init) : Promise.resolve(new Response('net.fetch used'))),
    },
    protocol: {
      registerSchemesAsPrivileged: (list: { scheme: string }[]) => {
        if (appState.ready) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
        schemes.push(...list.map((s) => s.scheme));
      },
      handle: (scheme: string, handler: ProtocolHandler) => {
        assertReady('a protocol handler');
        if (protocolHandlers.has(scheme)) throw new Error(`Failed to register protocol: ${scheme}`);
        protocolHandlers.set(scheme, handler);
      },
    },
    session: {
      get defaultSession() {
        assertReady('the default session');
        return {
          setPermissionRequestHandler: (h: typeof permissionRequest) => void (permissionRequest = h),
          setPermissionCheckHandler: (h: typeof permissionCheck) => void (permissionCheck = h),
        };
      },
    },
    dialog: {
      showErrorBox: (title: string, content: string) => void calls.errorBoxes.push({ title, content }),
      showMessageBox: async (options: MessageBoxOptions) => {
        calls.messageBoxes.push(options);
        return { response: calls.messageBoxAnswers.shift() ?? options.cancelId ?? 0 };
      },
      showMessageBoxSync: (options: MessageBoxOptions) => {
        calls.messageBoxes.push(options);
        return calls.messageBoxAnswers.shift() ?? options.cancelId ?? 0;
      },
    },
  } satisfies ElectronSurface<FakeImage, FakeMenu>;
  // Members of the real module that libraries bundled into main.cjs use (not the shell):
  // electron-store registers a sync IPC listener; electron-updater reads the app's name and path
  // and listens for 'quit' once.
  Object.assign(ipcMain, { on: () => ipcMain });
  Object.assign(electron.app, {
    once: electron.app.on,
    getName: () => 'ml-connector',
    name: 'ml-connector',
    getAppPath: () => process.cwd(),
    isReady: () => appState.ready,
  });

  /** Loads a URL through the registered protocol handler, as the window would. */
  const load = async (url: string): Promise<Response> => {
    const scheme = new URL(url).protocol.replace(/:$/, '');
    if (!schemes.includes(scheme)) throw new Error(`scheme ${scheme} was not registered as privileged before ready`);
    const h = protocolHandlers.get(scheme);
    if (!h) throw new Error(`no protocol handler for ${scheme}`);
    return h(new Request(url));
  };
  /** Asks the session for a permission, as a page would; returns the answer. */
  const requestPermission = (permission: string): boolean => {
    let granted = true;
    if (permissionRequest) permissionRequest({}, permission, (g) => (granted = g));
    calls.permissionAnswers.push({ permission, granted });
    return granted;
  };
  const checkPermission = (permission: string) => (permissionCheck ? permissionCheck({}, permission) : true);
  return { electron, ipcMain, calls, emit, load, requestPermission, checkPermission, schemes, isQuitted: () => quitted };
}
