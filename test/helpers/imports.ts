// Shared by the purity and layering tests: the module specifiers a source file imports.

/** Every module specifier: static and type imports, re-exports, side-effect imports, import(), require(). */
export function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
    /\brequire\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) found.push(m[1]!);
  // A computed import()/require() could load anything: forbid those outright.
  if (/\bimport\s*\(\s*[^'"`\s)]/.test(source) || /\brequire\s*\(\s*[^'"`\s)]/.test(source)) found.push('<computed import>');
  return found;
}

