/** Which tree-sitter grammar (a .wasm file of @vscode/tree-sitter-wasm) parses a language id of
 *  ../workspace/languages.ts, and which of its node types are definitions. One table per grammar:
 *  node type -> kind; the name is the node's `name` field unless said otherwise (see extract.ts). */

export type SymbolKind =
  | 'function' | 'method' | 'class' | 'interface' | 'type' | 'enum' | 'struct' | 'trait' | 'impl'
  | 'module' | 'namespace' | 'variable' | 'property' | 'constructor';

export const GRAMMAR_BY_LANGUAGE: Readonly<Record<string, string>> = {
  typescript: 'typescript',
  typescriptreact: 'tsx',
  javascript: 'javascript',
  javascriptreact: 'javascript',
  python: 'python',
  go: 'go',
  rust: 'rust',
  java: 'java',
  // @vscode/tree-sitter-wasm ships no C grammar; the C++ grammar parses C (a superset for outlines).
  c: 'cpp',
  cpp: 'cpp',
  csharp: 'c-sharp',
  ruby: 'ruby',
  php: 'php',
  shellscript: 'bash',
  powershell: 'powershell',
};

/** The languages outline() knows, for messages and docs. */
export const STRUCTURE_LANGUAGES = Object.keys(GRAMMAR_BY_LANGUAGE);

const JS: Record<string, SymbolKind> = {
  function_declaration: 'function',
  generator_function_declaration: 'function',
  // `declare function f(): T;` and overload signatures (.d.ts files)
  function_signature: 'function',
  class_declaration: 'class',
  abstract_class_declaration: 'class',
  method_definition: 'method',
  method_signature: 'method',
  abstract_method_signature: 'method',
  interface_declaration: 'interface',
  type_alias_declaration: 'type',
  enum_declaration: 'enum',
  internal_module: 'namespace',
  module: 'module',
  // `const f = () => …` and `x = function () {}` (only when the value is a function: see extract.ts)
  variable_declarator: 'function',
  public_field_definition: 'property',
  field_definition: 'property',
};

const C_LIKE: Record<string, SymbolKind> = {
  function_definition: 'function',
  struct_specifier: 'struct',
  union_specifier: 'struct',
  class_specifier: 'class',
  enum_specifier: 'enum',
  namespace_definition: 'namespace',
  type_definition: 'type',
};

/** Node type -> kind, per grammar. */
export const DEFINITIONS: Readonly<Record<string, Readonly<Record<string, SymbolKind>>>> = {
  typescript: JS,
  tsx: JS,
  javascript: JS,
  python: { function_definition: 'function', class_definition: 'class' },
  go: {
    function_declaration: 'function',
    method_declaration: 'method',
    type_spec: 'type',
    method_elem: 'method',
  },
  rust: {
    function_item: 'function',
    function_signature_item: 'function',
    struct_item: 'struct',
    enum_item: 'enum',
    union_item: 'struct',
    trait_item: 'trait',
    impl_item: 'impl',
    mod_item: 'module',
    type_item: 'type',
    macro_definition: 'function',
  },
  java: {
    class_declaration: 'class',
    interface_declaration: 'interface',
    enum_declaration: 'enum',
    record_declaration: 'class',
    annotation_type_declaration: 'interface',
    method_declaration: 'method',
    constructor_declaration: 'constructor',
  },
  cpp: C_LIKE,
  'c-sharp': {
    class_declaration: 'class',
    struct_declaration: 'struct',
    interface_declaration: 'interface',
    enum_declaration: 'enum',
    record_declaration: 'class',
    method_declaration: 'method',
    constructor_declaration: 'constructor',
    property_declaration: 'property',
    namespace_declaration: 'namespace',
    file_scoped_namespace_declaration: 'namespace',
    delegate_declaration: 'type',
    local_function_statement: 'function',
  },
  ruby: { method: 'method', singleton_method: 'method', class: 'class', module: 'module' },
  php: {
    function_definition: 'function',
    class_declaration: 'class',
    interface_declaration: 'interface',
    trait_declaration: 'trait',
    enum_declaration: 'enum',
    method_declaration: 'method',
    namespace_definition: 'namespace',
  },
  bash: { function_definition: 'function' },
  powershell: { function_statement: 'function', class_statement: 'class', class_method_definition: 'method' },
};
