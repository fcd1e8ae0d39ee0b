import { useEffect } from 'react';
import { useActionRegistry, type PaletteAction } from './registry';

/** Puts a panel's actions in the palette while the panel is mounted; pass a memoised list. */
export function useRegisterActions(source: string, actions: readonly PaletteAction[]): void {
  useEffect(() => {
    const { register, unregister } = useActionRegistry.getState();
    register(source, actions);
    return () => unregister(source);
  }, [source, actions]);
}
