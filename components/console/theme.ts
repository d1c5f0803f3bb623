/** Theme preference kept in localStorage under this key: 'light' | 'dark' | 'system' (absent = system). */
export const THEME_KEY = 'gatehouse-theme';
export type ThemeChoice = 'light' | 'dark' | 'system';

/** Applies a choice to <html>; shared by the inline boot script and the toggle. */
export function applyTheme(choice: ThemeChoice): void {
  const dark = choice === 'dark' || (choice === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.classList.toggle('dark', dark);
  document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
}

/**
 * Runs in <head> before first paint, so a dark-mode user never sees a white flash.
 * Kept as a string: it must run before React loads.
 */
export const themeBootScript = `(function(){try{var c=localStorage.getItem('${THEME_KEY}');var d=c==='dark'||(c!=='light'&&window.matchMedia('(prefers-color-scheme: dark)').matches);var e=document.documentElement;e.classList.toggle('dark',d);e.style.colorScheme=d?'dark':'light'}catch(_){}})();`;
