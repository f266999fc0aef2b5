// What sqld learns from SQL text before SQLite sees it: where statements end,
// what kind each is, and its parameters. sqld parses with sqlite3-parser
// (libsql-server/src/query_analysis.rs); better-sqlite3 exposes none of this,
// so the stand-in reads the text with SQLite's own tokenizer rules
// (src/tokenize.c) and statement-end rules (src/complete.c).

export type TokenType = "word" | "quoted" | "string" | "param" | "semi" | "lparen" | "rparen" | "other";

export interface Token {
  type: TokenType;
  text: string;
  start: number;
}

const isSpace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\f" || c === "\r";
// tokenize.c's IdChar: letters, digits, _ and $, and every byte >= 0x80.
const isIdStart = (c: string) => /[A-Za-z_]/.test(c) || c.charCodeAt(0) >= 0x80;
const isIdChar = (c: string) => /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80;

function quotedEnd(sql: string, start: number, close: string, doubled: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === close) {
      if (doubled && sql[i + 1] === close) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length; // unterminated: SQLite reports it when preparing
}

function variableEnd(sql: string, start: number): number {
  // tokenize.c, TK_VARIABLE for $ @ : #: identifier characters, plus TCL-style `::` and `(...)`.
  let i = start + 1;
  let n = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (isIdChar(c)) {
      n++;
      i++;
    } else if (c === "(" && n > 0) {
      const close = sql.indexOf(")", i);
      return close < 0 ? sql.length : close + 1;
    } else if (c === ":" && sql[i + 1] === ":") i += 2;
    else break;
  }
  return i;
}

/** SQLite's tokens, without whitespace and comments. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (type: TokenType, end: number) => {
    tokens.push({ type, text: sql.slice(i, end), start: i });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (isSpace(c)) i++;
    else if (c === "-" && sql[i + 1] === "-") {
      const nl = sql.indexOf("\n", i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const close = sql.indexOf("*/", i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (c === "'") push("string", quotedEnd(sql, i, "'", true));
    else if (c === '"') push("quoted", quotedEnd(sql, i, '"', true));
    else if (c === "`") push("quoted", quotedEnd(sql, i, "`", true));
    else if (c === "[") push("quoted", quotedEnd(sql, i, "]", false));
    else if (c === ";") push("semi", i + 1);
    else if (c === "(") push("lparen", i + 1);
    else if (c === ")") push("rparen", i + 1);
    else if (c === "?") {
      let end = i + 1;
      while (end < sql.length && /[0-9]/.test(sql[end]!)) end++;
      push("param", end);
    } else if (c === ":" || c === "@" || c === "$" || c === "#") {
      const end = variableEnd(sql, i);
      push(end > i + 1 ? "param" : "other", end);
    } else if (isIdStart(c)) {
      let end = i + 1;
      while (end < sql.length && isIdChar(sql[end]!)) end++;
      push("word", end);
    } else push("other", i + 1);
  }
  return tokens;
}

const upper = (token: Token | undefined) => (token?.type === "word" ? token.text.toUpperCase() : "");

// complete.c: the state machine that knows a `;` inside CREATE TRIGGER ... END
// does not end the statement. Rows are states, columns tokens.
const enum Tk { Semi, Other, Explain, Create, Temp, Trigger, End }
const TRANSITIONS: number[][] = [
  /*               SEMI OTHER EXPLAIN CREATE TEMP TRIGGER END */
  /* 0 INVALID */ [1, 2, 3, 4, 2, 2, 2],
  /* 1 START   */ [1, 2, 3, 4, 2, 2, 2],
  /* 2 NORMAL  */ [1, 2, 2, 2, 2, 2, 2],
  /* 3 EXPLAIN */ [1, 3, 2, 4, 2, 2, 2],
  /* 4 CREATE  */ [1, 2, 2, 2, 4, 5, 2],
  /* 5 TRIGGER */ [6, 5, 5, 5, 5, 5, 5],
  /* 6 SEMI    */ [6, 5, 5, 5, 5, 5, 7],
  /* 7 END     */ [1, 5, 5, 5, 5, 5, 5],
];

function completeToken(token: Token): Tk {
  if (token.type === "semi") return Tk.Semi;
  switch (upper(token)) {
    case "EXPLAIN": return Tk.Explain;
    case "CREATE": return Tk.Create;
    case "TEMP": case "TEMPORARY": return Tk.Temp;
    case "TRIGGER": return Tk.Trigger;
    case "END": return Tk.End;
    default: return Tk.Other;
  }
}

/** The statements of a script, each with its own tokens; empty statements (`;;`) are dropped. */
export function splitStatements(sql: string): { sql: string; tokens: Token[] }[] {
  const statements: { sql: string; tokens: Token[] }[] = [];
  let state = 0;
  let current: Token[] = [];
  const finish = (end: number) => {
    const body = current.filter((t) => t.type !== "semi");
    if (body.length > 0) statements.push({ sql: sql.slice(current[0]!.start, end), tokens: current });
    current = [];
  };
  for (const token of tokenize(sql)) {
    state = TRANSITIONS[state]![completeToken(token)]!;
    current.push(token);
    if (token.type === "semi" && state === 1) finish(token.start + 1);
  }
  if (current.length > 0) finish(sql.length);
  return statements;
}

/** sqld's StmtKind (query_analysis.rs). */
export type StmtKind = "TxnBegin" | "TxnEnd" | "Read" | "Write" | "Savepoint" | "Release" | "DDL";

export interface StatementInfo {
  /** null: a statement sqld refuses ("unsupported statement"). */
  kind: StmtKind | null;
  isIud: boolean;
  isInsert: boolean;
  isExplain: boolean;
  /** BEGIN IMMEDIATE / EXCLUSIVE: takes the write lock without writing. */
  takesWriteLock: boolean;
  /** Parameter names by SQLite index (1-based index = array index + 1); null for an anonymous `?`. */
  params: (string | null)[];
}

// query_analysis.rs `pragma_kind`: pragmas sqld accepts with a value, and
// those it accepts only as queries (no `= value`). Anything else is refused.
const PRAGMAS_READ = ["table_list", "index_list", "table_info", "table_xinfo", "index_info", "index_xinfo", "pragma_list", "compile_options", "database_list", "function_list", "module_list", "encoding"];
const PRAGMAS_WRITE = ["defer_foreign_keys", "foreign_keys", "foreign_key_list", "foreign_key_check", "collation_list", "data_version", "freelist_count", "integrity_check", "legacy_file_format", "page_count", "quick_check", "stats", "user_version"];
const PRAGMAS_QUERY_ONLY = ["analysis_limit", "application_id", "auto_vacuum", "automatic_index", "busy_timeout", "cache_size", "cache_spill", "cell_size_check", "checkpoint_fullfsync", "fullfsync", "hard_heap_limit", "journal_mode", "journal_size_limit", "legacy_alter_table", "locking_mode", "max_page_count", "mmap_size", "page_size", "query_only", "read_uncommitted", "recursive_triggers", "reverse_unordered_selects", "secure_delete", "soft_heap_limit", "synchronous", "temp_store", "threads", "trusted_schema", "wal_autocheckpoint"];

function pragmaKind(tokens: Token[]): StmtKind | null {
  // PRAGMA [schema.]name [= value | (value)]
  let i = 1;
  if (tokens[i + 1]?.text === ".") i += 2;
  const name = tokens[i]?.text.toLowerCase() ?? "";
  const hasBody = tokens[i + 1] !== undefined && tokens[i + 1]!.type !== "semi";
  if (PRAGMAS_READ.includes(name)) return "Read";
  if (name === "schema_version" && !hasBody) return "Read";
  if (PRAGMAS_WRITE.includes(name)) return "Write";
  if (PRAGMAS_QUERY_ONLY.includes(name) && !hasBody) return "Write";
  return null;
}

/** The main verb of a WITH statement: the first one outside the CTEs' parentheses. */
function verbAfterWith(tokens: Token[]): string {
  let depth = 0;
  for (const token of tokens.slice(1)) {
    if (token.type === "lparen") depth++;
    else if (token.type === "rparen") depth--;
    else if (depth === 0 && ["SELECT", "VALUES", "INSERT", "REPLACE", "UPDATE", "DELETE"].includes(upper(token))) return upper(token);
  }
  return "";
}

function createKind(tokens: Token[]): StmtKind | null {
  const words = tokens.slice(1, 4).map(upper);
  if (words[0] === "TEMP" || words[0] === "TEMPORARY") return null; // bound to one connection: refused
  if (words[0] === "TABLE" || words[0] === "VIEW") {
    let i = 2;
    while (["IF", "NOT", "EXISTS"].includes(upper(tokens[i]))) i++;
    const inTempSchema = tokens[i + 1]?.text === "." && /^["`[]?temp["`\]]?$/i.test(tokens[i]!.text);
    return inTempSchema ? null : "DDL";
  }
  if (words[0] === "VIRTUAL" || words[0] === "INDEX" || words[0] === "TRIGGER") return "DDL";
  if (words[0] === "UNIQUE" && words[1] === "INDEX") return "DDL";
  return null;
}

function classify(tokens: Token[]): Pick<StatementInfo, "kind" | "isIud" | "isInsert" | "isExplain" | "takesWriteLock"> {
  const plain = { isIud: false, isInsert: false, isExplain: false, takesWriteLock: false };
  let verb = upper(tokens[0]);
  if (verb === "EXPLAIN") {
    const rest = tokens.slice(upper(tokens[1]) === "QUERY" ? 3 : 1);
    return { ...plain, isExplain: true, kind: upper(rest[0]) === "PRAGMA" ? pragmaKind(rest) : "Read" };
  }
  if (verb === "WITH") verb = verbAfterWith(tokens);
  switch (verb) {
    case "SELECT": case "VALUES": return { ...plain, kind: "Read" };
    case "INSERT": case "REPLACE": return { ...plain, kind: "Write", isIud: true, isInsert: true };
    case "UPDATE": case "DELETE": return { ...plain, kind: "Write", isIud: true };
    case "REINDEX": return { ...plain, kind: "Write" };
    case "BEGIN": return { ...plain, kind: "TxnBegin", takesWriteLock: ["IMMEDIATE", "EXCLUSIVE"].includes(upper(tokens[1])) };
    case "COMMIT": case "END": return { ...plain, kind: "TxnEnd" };
    case "ROLLBACK": return { ...plain, kind: tokens.some((t) => upper(t) === "TO") ? "Release" : "TxnEnd" };
    case "SAVEPOINT": return { ...plain, kind: "Savepoint" };
    case "RELEASE": return { ...plain, kind: "Release" };
    case "CREATE": return { ...plain, kind: createKind(tokens) };
    case "DROP": case "ALTER": return { ...plain, kind: "DDL" };
    case "PRAGMA": return { ...plain, kind: pragmaKind(tokens) };
    // ATTACH/DETACH name sqld namespaces, which the stand-in does not have;
    // VACUUM, ANALYZE and the rest are refused by sqld too.
    default: return { ...plain, kind: null };
  }
}

/** SQLite's parameter numbering: `?` takes the next index, `?NNN` index NNN, a name its first index. */
function parameters(tokens: Token[]): (string | null)[] {
  const params: (string | null)[] = [];
  const byName = new Map<string, number>();
  for (const token of tokens) {
    if (token.type !== "param") continue;
    if (token.text === "?") params.push(null);
    else if (token.text.startsWith("?")) {
      const index = Number(token.text.slice(1));
      while (params.length < index) params.push(null);
      params[index - 1] = token.text;
    } else if (!byName.has(token.text)) {
      params.push(token.text);
      byName.set(token.text, params.length);
    }
  }
  return params;
}

export function describeStatement(tokens: Token[]): StatementInfo {
  const body = tokens.filter((t) => t.type !== "semi");
  return { ...classify(body), params: parameters(body) };
}
