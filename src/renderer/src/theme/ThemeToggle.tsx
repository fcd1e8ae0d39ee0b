/** The header's theme switch: dark (default) or light; kept with the layout. */
import { useLayout } from '../layout/layoutStore';

export function ThemeToggle() {
  const theme = useLayout((s) => s.theme);
  const toggle = useLayout((s) => s.toggleTheme);
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="theme-toggle"
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
      onClick={toggle}
    >
      <span aria-hidden="true">◐</span>
    </button>
  );
}
