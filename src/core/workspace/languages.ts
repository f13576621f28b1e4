// Extension (lower-case, with the dot) or exact file name -> language id, as VS Code names them.
const BY_EXT: Record<string, string> = {
  '.ts': 'typescript', '.tsx': 'typescriptreact', '.mts': 'typescript', '.cts': 'typescript',
  '.js': 'javascript', '.jsx': 'javascriptreact', '.mjs': 'javascript', '.cjs': 'javascript',
  '.json': 'json', '.jsonc': 'jsonc', '.json5': 'json5', '.map': 'json',
  '.md': 'markdown', '.markdown': 'markdown', '.mdx': 'mdx', '.rst': 'restructuredtext', '.txt': 'plaintext',
  '.adoc': 'asciidoc', '.asciidoc': 'asciidoc', '.asc': 'asciidoc', '.rdoc': 'rdoc', '.org': 'org', '.pod': 'pod',
  '.texi': 'texinfo', '.texinfo': 'texinfo', '.textile': 'textile', '.rtf': 'rtf',
  '.html': 'html', '.htm': 'html', '.css': 'css', '.scss': 'scss', '.sass': 'sass', '.less': 'less',
  '.vue': 'vue', '.svelte': 'svelte', '.astro': 'astro',
  '.py': 'python', '.pyi': 'python', '.ipynb': 'jupyter', '.rb': 'ruby', '.php': 'php', '.pl': 'perl',
  '.go': 'go', '.rs': 'rust', '.java': 'java', '.kt': 'kotlin', '.kts': 'kotlin', '.scala': 'scala',
  '.groovy': 'groovy', '.gradle': 'groovy', '.clj': 'clojure', '.cs': 'csharp', '.fs': 'fsharp', '.vb': 'vb',
  '.c': 'c', '.h': 'c', '.cc': 'cpp', '.cpp': 'cpp', '.cxx': 'cpp', '.hpp': 'cpp', '.hh': 'cpp', '.hxx': 'cpp',
  '.m': 'objective-c', '.mm': 'objective-cpp', '.swift': 'swift', '.dart': 'dart', '.lua': 'lua', '.r': 'r',
  '.jl': 'julia', '.ex': 'elixir', '.exs': 'elixir', '.erl': 'erlang', '.hs': 'haskell', '.ml': 'ocaml',
  '.zig': 'zig', '.nim': 'nim', '.sol': 'solidity', '.elm': 'elm', '.coffee': 'coffeescript',
  '.sh': 'shellscript', '.bash': 'shellscript', '.zsh': 'shellscript', '.fish': 'fish', '.ps1': 'powershell',
  '.bat': 'bat', '.cmd': 'bat', '.sql': 'sql', '.graphql': 'graphql', '.gql': 'graphql', '.proto': 'proto3',
  '.yaml': 'yaml', '.yml': 'yaml', '.toml': 'toml', '.ini': 'ini', '.cfg': 'ini', '.conf': 'properties',
  '.properties': 'properties', '.xml': 'xml', '.xsd': 'xml', '.svg': 'xml', '.plist': 'xml', '.csv': 'csv',
  '.tex': 'latex', '.cmake': 'cmake', '.mk': 'makefile', '.tf': 'terraform', '.hcl': 'hcl',
  '.diff': 'diff', '.patch': 'diff', '.log': 'log', '.lock': 'lock',
};

const BY_NAME: Record<string, string> = {
  makefile: 'makefile', gnumakefile: 'makefile', dockerfile: 'dockerfile', 'cmakelists.txt': 'cmake',
  '.gitignore': 'ignore', '.dockerignore': 'ignore', '.npmignore': 'ignore', '.gitattributes': 'properties',
  '.editorconfig': 'properties', license: 'plaintext', readme: 'plaintext', gemfile: 'ruby', rakefile: 'ruby',
  jenkinsfile: 'groovy', 'go.mod': 'go.mod', 'go.sum': 'go.sum', 'cargo.lock': 'toml',
};

/** Language id for a file name: by exact name first, then by extension, else 'plaintext'. */
export function languageOf(fileName: string): string {
  const lower = fileName.toLowerCase();
  // hasOwn: a file may well be named `constructor` or `__proto__`.
  if (Object.hasOwn(BY_NAME, lower)) return BY_NAME[lower];
  if (lower.startsWith('dockerfile.')) return 'dockerfile';
  const dot = lower.lastIndexOf('.');
  const ext = dot > 0 ? lower.slice(dot) : '';
  return Object.hasOwn(BY_EXT, ext) ? BY_EXT[ext] : 'plaintext';
}
