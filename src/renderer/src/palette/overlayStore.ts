/** Which of the palette's own dialogs is open: the palette itself or the shortcuts list. */
import { create } from 'zustand';

export type Overlay = 'palette' | 'shortcuts' | null;

export const useOverlay = create<{ open: Overlay; show(o: Exclude<Overlay, null>): void; close(): void }>((set) => ({
  open: null,
  show: (open) => set({ open }),
  close: () => set({ open: null }),
}));
