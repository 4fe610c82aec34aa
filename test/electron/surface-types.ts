/**
 * Issue #10 acceptance 3, checked by `npm run typecheck` (this file has no run-time part): the
 * shell's Electron surface is a structural subset of the real module's types
 * (node_modules/electron/electron.d.ts), so a call Electron does not have cannot compile.
 */
import * as electron from 'electron';
import type { ElectronSurface } from '../../main/electron/electron-surface';

// The real module satisfies the surface as it is (entry.ts does the same assignment).
export const real: ElectronSurface<electron.NativeImage, electron.Menu> = electron;

// A made-up API is a type error on the real module…
// @ts-expect-error Electron's app has no makeCoffee()
electron.app.makeCoffee();

// …and a surface that declared one would no longer be satisfied by the real module.
// @ts-expect-error the real app lacks makeCoffee, so the module is not assignable
export const invented: ElectronSurface<electron.NativeImage, electron.Menu> & { app: { makeCoffee(): void } } = electron;

// A wrong signature is refused too: Tray takes a NativeImage (or a path), not a number.
// @ts-expect-error Tray's constructor does not take a number
export const wrongCall = (): electron.Tray => new electron.Tray(42);
