/**
 * A fake of the parts of `electron` the shell uses, recording what the shell does with them.
 * Typed against ElectronSurface (which the real module satisfies), so it cannot drift silently.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type {
  BrowserWindowLike,
  BrowserWindowOptions,
  ElectronSurface,
  IpcMainInvokeEventLike,
  IpcMainLike,
  NotificationLike,
  TrayLike,
  WebContentsLike,
} from '../../../main/electron/electron-surface';

type Handler = (event: IpcMainInvokeEventLike, ...args: unknown[]) => Promise<unknown>;

let nextId = 1;

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
  on(_event: 'will-navigate', listener: (event: { preventDefault(): void }, url: string) => void) {
    this.navigateListeners.push(listener);
    return this;
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

export class FakeTray implements TrayLike {
  static instances: FakeTray[] = [];
  tooltip = '';
  image: unknown = null;
  menu: { template: MenuItemConstructorOptions[] } | null = null;
  destroyed = false;
  private clickListeners: (() => void)[] = [];
  constructor(image: unknown) {
    this.image = image;
    FakeTray.instances.push(this);
  }
  setToolTip(text: string) {
    this.tooltip = text;
  }
  setImage(image: unknown) {
    this.image = image;
  }
  setContextMenu(menu: unknown) {
    this.menu = menu as { template: MenuItemConstructorOptions[] };
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

export function createFakeElectron(opts: { lock?: boolean; userData?: string } = {}) {
  FakeBrowserWindow.instances = [];
  FakeTray.instances = [];
  FakeNotification.shown = [];
  const appListeners = new Map<string, ((...args: unknown[]) => void)[]>();
  const calls = { quit: 0, loginItem: [] as { openAtLogin: boolean }[] };
  const ipcMain = new FakeIpcMain();
  const electron = {
    app: {
      requestSingleInstanceLock: () => opts.lock ?? true,
      on(event: string, listener: (...args: unknown[]) => void) {
        appListeners.set(event, [...(appListeners.get(event) ?? []), listener]);
        return this;
      },
      whenReady: async () => {},
      quit: () => {
        calls.quit++;
        for (const l of appListeners.get('before-quit') ?? []) l();
      },
      getPath: (name: 'userData' | 'logs') => `${opts.userData ?? '/tmp/ml-connector-fake'}/${name}`,
      setLoginItemSettings: (s: { openAtLogin: boolean }) => void calls.loginItem.push(s),
      isPackaged: false,
    },
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Menu: { buildFromTemplate: (template: MenuItemConstructorOptions[]) => ({ template }) },
    nativeImage: { createFromPath: (path: string) => ({ path }) },
    ipcMain,
    Notification: FakeNotification,
    net: { fetch: async (_url: string) => new Response('net.fetch used') },
  } satisfies ElectronSurface;
  const emit = (event: string, ...args: unknown[]) => {
    for (const l of appListeners.get(event) ?? []) l(...args);
  };
  return { electron, ipcMain, calls, emit };
}
