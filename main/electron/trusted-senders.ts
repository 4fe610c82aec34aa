/**
 * The WebContents allowed to call the service over IPC (Desktop's `trusted-ipc-sender.ts`).
 * Windows are added when created and dropped when closed; IPC from anything else is refused.
 */
export class TrustedSenders {
  private readonly ids = new Set<number>();

  add(id: number): void {
    this.ids.add(id);
  }

  remove(id: number): void {
    this.ids.delete(id);
  }

  has(id: number): boolean {
    return this.ids.has(id);
  }
}
