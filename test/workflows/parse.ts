/**
 * Just enough of Nextflow (Groovy GStrings) and WDL 1.0 to pull the command lines out of the
 * workflow files and fill their placeholders, for the contract tests. Deliberately strict: an
 * expression form it does not know is an error, so a module cannot drift into something the tests
 * silently skip.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// ---------------------------------------------------------------------------------------------
// Nextflow

export interface NfInput { kind: 'val' | 'path'; name: string; stageAs?: string }
export interface NfProcess {
  name: string;
  file: string;
  label: string;
  /** One entry per input channel (a tuple has several elements). */
  inputs: NfInput[][];
  /** Output path patterns (GString bodies) with their emit names. */
  outputs: { pattern: string; emit: string }[];
  /** `def name = expr` lines before the script string. */
  defs: [string, string][];
  /** Raw GString bodies of the script and stub blocks. */
  script: string;
  stub: string;
}

export function parseNfProcess(file: string): NfProcess {
  const text = readFileSync(file, 'utf8');
  const name = /^process\s+(\w+)\s*\{/m.exec(text)?.[1];
  if (!name) throw new Error(`${file}: no process`);
  const label = /^\s+label\s+'([^']+)'/m.exec(text)?.[1] ?? '';
  const section = (start: string, end: string) => {
    const m = new RegExp(`^\\s+${start}:\\s*$([\\s\\S]*?)^\\s+${end}:\\s*$`, 'm').exec(text);
    if (!m) throw new Error(`${file}: no ${start}: section before ${end}:`);
    return m[1]!;
  };
  // a process without inputs (PLAN) runs once
  const inputs = (/^\s+input:\s*$/m.test(text) ? section('input', 'output') : '').split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const els: NfInput[] = [];
    const re = /(val|path)\s*\(\s*(\w+)\s*(?:,\s*stageAs:\s*'([^']+)'\s*)?\)|(val|path)\s+(\w+)/g;
    for (let m; (m = re.exec(line)); ) {
      els.push(m[1] ? { kind: m[1] as 'val' | 'path', name: m[2]!, stageAs: m[3] } : { kind: m[4] as 'val' | 'path', name: m[5]! });
    }
    if (!els.length) throw new Error(`${file}: cannot read the input declaration "${line}"`);
    return els;
  });
  const outputs = section('output', 'when').split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const pattern = /path\s*\(?\s*"([^"]+)"/.exec(line)?.[1];
    const emit = /emit:\s*(\w+)/.exec(line)?.[1];
    if (!pattern || !emit) throw new Error(`${file}: cannot read the output declaration "${line}"`);
    return { pattern, emit };
  });
  // without a stub: block, -stub-run runs the script (PLAN)
  const scriptPart = /^\s+script:\s*$([\s\S]*?)(?:^\s+stub:\s*$([\s\S]*))?$(?![\s\S])/m.exec(text);
  if (!scriptPart) throw new Error(`${file}: needs a script: block`);
  const [pre, body] = splitTripleQuoted(scriptPart[1]!, file);
  const defs: [string, string][] = pre.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const m = /^def\s+(\w+)\s*=\s*(.+)$/.exec(l);
    if (!m) throw new Error(`${file}: only "def name = expr" lines may precede the script string, not "${l}"`);
    return [m[1]!, m[2]!];
  });
  const stub = scriptPart[2] === undefined ? body : splitTripleQuoted(scriptPart[2], file)[1];
  return { name, file, label, inputs, outputs, defs, script: body, stub };
}

function splitTripleQuoted(s: string, file: string): [string, string] {
  const a = s.indexOf('"""');
  const b = s.indexOf('"""', a + 3);
  if (a < 0 || b < 0) throw new Error(`${file}: no """ script string`);
  return [s.slice(0, a), s.slice(a + 3, b)];
}

export type Binding = Record<string, unknown>;

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return v !== undefined && v !== null && v !== '' && v !== 0 && v !== false;
}

function lookup(path: string, b: Binding, lenient: boolean): unknown {
  let v: unknown = b;
  const parts = path.split('.');
  for (let i = 0; i < parts.length; i++) {
    if (v === null || typeof v !== 'object' || !(parts[i]! in (v as object))) {
      // Groovy: a missing ext property is null; anything else missing is a bug in the module
      if (lenient) return undefined;
      throw new Error(`unknown name in a Groovy expression: ${path}`);
    }
    v = (v as Record<string, unknown>)[parts[i]!];
  }
  return v;
}

/** The few Groovy expression forms the modules use: a.b.c, x ?: y, c ? "s" : 's', string literals. */
export function groovyExpr(expr: string, b: Binding, lenient = false): unknown {
  const e = expr.trim();
  let m: RegExpExecArray | null;
  if ((m = /^(.+?)\s*\?:\s*(.+)$/.exec(e))) {
    const v = groovyExpr(m[1]!, b, true);
    return truthy(v) ? v : groovyExpr(m[2]!, b);
  }
  const str = `("(?:[^"\\\\]|\\\\.)*"|'[^']*')`;
  if ((m = new RegExp(`^(.+?)\\s*\\?\\s*${str}\\s*:\\s*${str}$`).exec(e))) {
    return truthy(groovyExpr(m[1]!, b, true)) ? groovyExpr(m[2]!, b) : groovyExpr(m[3]!, b);
  }
  if (/^'[^']*'$/.test(e)) return e.slice(1, -1);
  if (/^"(?:[^"\\]|\\.)*"$/.test(e)) return gstring(e.slice(1, -1), b);
  if (/^-?\d+(\.\d+)?$/.test(e)) return Number(e);
  if (/^[A-Za-z_]\w*(\.\w+)*$/.test(e)) return lookup(e, b, lenient);
  throw new Error(`Groovy expression form not supported by the contract test: ${e}`);
}

function render(v: unknown, expr: string): string {
  if (v === undefined) throw new Error(`\${${expr}} has no value`);
  if (Array.isArray(v)) return v.join(' ');
  if (v !== null && typeof v === 'object') throw new Error(`\${${expr}} is an object`);
  return String(v);
}

/** Interpolate a Groovy GString body the way Groovy does (escapes, ${expr}); a bare $ is an error as in Groovy. */
export function gstring(text: string, b: Binding): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const n = text[++i];
      if (n === '\\' || n === '$' || n === '"' || n === "'") out += n;
      else if (n === 'n') out += '\n';
      else if (n === 't') out += '\t';
      else if (n === '\n') { /* line continuation */ }
      else throw new Error(`unsupported escape \\${n} in a Groovy string`);
    } else if (c === '$') {
      if (text[i + 1] !== '{') throw new Error(`unescaped $ in a Groovy string (Groovy would interpolate or reject it): ...${text.slice(i, i + 20)}`);
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === '{') depth++;
        else if (text[j] === '}' && --depth === 0) break;
      }
      const expr = text.slice(i + 2, j);
      out += render(groovyExpr(expr, b), expr);
      i = j;
    } else out += c;
  }
  return out;
}

/** Groovy's stripIndent(), as Nextflow applies it to a script: drop the common indentation and the leading newline. */
export function stripIndent(s: string): string {
  const lines = s.replace(/^\n/, '').split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const n = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(n, /^ */.exec(l)![0].length))).join('\n');
}

/** nextflow.config-style `params { name = value }` block: name -> value (strings, numbers, null, booleans; GStrings with ${projectDir}). */
export function parseParamsBlock(file: string, vars: Binding = {}): Record<string, unknown> {
  const text = readFileSync(file, 'utf8');
  const m = /^params\s*\{\n([\s\S]*?)^\}/m.exec(text);
  if (!m) throw new Error(`${file}: no top-level params { } block`);
  const out: Record<string, unknown> = {};
  for (const raw of m[1]!.split('\n')) {
    const line = raw.replace(/\s+\/\/.*$/, '').trim();
    if (!line || line.startsWith('//')) continue;
    const a = /^(\w+)\s*=\s*(.+)$/.exec(line);
    if (!a) throw new Error(`${file}: cannot read the params line "${line}"`);
    const v = a[2]!.trim();
    out[a[1]!] = v === 'null' ? null : v === 'true' ? true : v === 'false' ? false : groovyExpr(v, vars);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// WDL 1.0

export interface WdlDecl { type: string; name: string; default?: string }
export interface WdlTask {
  name: string;
  inputs: Map<string, WdlDecl>;
  command: string;
  outputs: WdlDecl[];
  runtime: Map<string, string>;
}
export interface WdlCall { task: string; inputs: Map<string, string> }
export interface WdlDoc {
  tasks: Map<string, WdlTask>;
  workflow: { name: string; inputs: Map<string, WdlDecl>; calls: WdlCall[]; outputs: WdlDecl[]; body: string };
}

function block(text: string, header: RegExp, indent: string): string | undefined {
  const m = header.exec(text);
  if (!m) return undefined;
  const start = m.index + m[0].length;
  const end = text.indexOf(`\n${indent}}`, start);
  return text.slice(start, end);
}

function decls(body: string | undefined): WdlDecl[] {
  if (!body) return [];
  return body.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
    const m = /^([A-Za-z][\w[\], ]*?\??)\s+(\w+)\s*(?:=\s*(.+))?$/.exec(l);
    if (!m) throw new Error(`cannot read the WDL declaration "${l}"`);
    return { type: m[1]!.replace(/\s+/g, ''), name: m[2]!, default: m[3] };
  });
}

export function parseWdl(file: string): WdlDoc {
  const text = readFileSync(file, 'utf8');
  const tasks = new Map<string, WdlTask>();
  for (const m of text.matchAll(/^task (\w+) \{\n([\s\S]*?)^\}/gm)) {
    const body = m[2]!;
    const cmd = /^ {2}command <<<\n([\s\S]*?)^ {2}>>>/m.exec(body);
    if (!cmd) throw new Error(`${file}: task ${m[1]} has no command <<< >>> section`);
    const runtime = new Map<string, string>();
    for (const l of (block(body, /^ {2}runtime \{/m, '  ') ?? '').split('\n')) {
      const r = /^\s*(\w+):\s*(.+)$/.exec(l);
      if (r) runtime.set(r[1]!, r[2]!.trim());
    }
    tasks.set(m[1]!, {
      name: m[1]!,
      inputs: new Map(decls(block(body, /^ {2}input \{/m, '  ')).map((d) => [d.name, d])),
      command: cmd[1]!,
      outputs: decls(block(body, /^ {2}output \{/m, '  ')),
      runtime,
    });
  }
  const wf = /^workflow (\w+) \{\n([\s\S]*?)^\}/m.exec(text);
  if (!wf) throw new Error(`${file}: no workflow`);
  const body = wf[2]!;
  const calls: WdlCall[] = [];
  for (const c of body.matchAll(/^( *)call (\w+) \{\s*\n\s*input:\s*\n([\s\S]*?)\n\1\}/gm)) {
    const inputs = new Map<string, string>();
    for (const part of c[3]!.split(/,(?=\s*\w+\s*=)/)) {
      const a = /^\s*(\w+)\s*=\s*([\s\S]+?)\s*$/.exec(part);
      if (!a) throw new Error(`${file}: cannot read the call input "${part}"`);
      inputs.set(a[1]!, a[2]!);
    }
    calls.push({ task: c[2]!, inputs });
  }
  return {
    tasks,
    workflow: {
      name: wf[1]!,
      inputs: new Map(decls(block(body, /^ {2}input \{/m, '  ')).map((d) => [d.name, d])),
      calls,
      outputs: decls(block(body, /^ {2}output \{/m, '  ')),
      body,
    },
  };
}

/** A WDL literal default: "string", integer, decimal, true/false. Anything else is returned as undefined. */
export function wdlLiteral(expr: string | undefined): unknown {
  if (expr === undefined) return undefined;
  const e = expr.trim();
  if (/^"[^"]*"$/.test(e)) return e.slice(1, -1);
  if (/^-?\d+(\.\d+)?$/.test(e)) return Number(e);
  if (e === 'true' || e === 'false') return e === 'true';
  return undefined;
}

/**
 * Workflow-scope expressions used in call inputs: name, call.output, name[index], expr + "literal".
 * `scope` holds workflow inputs, call outputs (objects) and scatter variables.
 */
export function wdlExpr(expr: string, scope: Binding): unknown {
  const e = expr.trim();
  let m: RegExpExecArray | null;
  if ((m = /^(.+?)\s*\+\s*"([^"]*)"$/.exec(e))) return `${String(wdlExpr(m[1]!, scope))}${m[2]}`;
  if ((m = /^(\w+)\[(\d+)\]$/.exec(e))) return (wdlExpr(m[1]!, scope) as unknown[])[Number(m[2])];
  if (/^\w+(\.\w+)?$/.test(e)) {
    const v = lookup(e, scope, true);
    return v;
  }
  const lit = wdlLiteral(e);
  if (lit !== undefined) return lit;
  throw new Error(`WDL expression form not supported by the contract test: ${e}`);
}

/** Strip the common leading whitespace of a command section (WDL 1.0 semantics). */
export function dedent(s: string): string {
  const lines = s.split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
  const n = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(n, /^[ \t]*/.exec(l)![0].length))).join('\n');
}

/**
 * Fill a command's ~{...} placeholders: name, "literal" + name (empty when name is undefined, as
 * WDL does for an optional), write_lines(name) (writes the file under `scratch`).
 */
export function wdlCommand(command: string, b: Binding, scratch: string): string {
  let n = 0;
  return dedent(command).replace(/~\{([^}]*)\}/g, (_all, expr: string) => {
    const e = expr.trim();
    let m: RegExpExecArray | null;
    if ((m = /^"([^"]*)"\s*\+\s*(\w+)$/.exec(e))) {
      const v = b[m[2]!];
      return v === undefined || v === null ? '' : `${m[1]}${String(v)}`;
    }
    if ((m = /^if\s+(\w+)\s+then\s+"([^"]*)"\s+else\s+"([^"]*)"$/.exec(e))) {
      if (typeof b[m[1]!] !== 'boolean') throw new Error(`~{${e}}: ${m[1]} is not a Boolean`);
      return b[m[1]!] ? m[2]! : m[3]!;
    }
    if ((m = /^write_lines\((\w+)\)$/.exec(e))) {
      const p = join(scratch, `write_lines_${n++}.txt`);
      writeFileSync(p, (b[m[1]!] as unknown[]).map(String).join('\n') + '\n');
      return p;
    }
    if (/^\w+$/.test(e)) {
      if (b[e] === undefined || b[e] === null) throw new Error(`~{${e}} has no value`);
      return String(b[e]);
    }
    throw new Error(`WDL placeholder form not supported by the contract test: ~{${e}}`);
  });
}

/** WDL output expressions: "path" (with ~{}), glob("pattern"), read_json("f"), read_string("f"). */
export function wdlOutput(expr: string, b: Binding, dir: string): unknown {
  const e = expr.trim();
  const fill = (s: string) => s.replace(/~\{(\w+)\}/g, (_a, n: string) => String(b[n]));
  let m: RegExpExecArray | null;
  if ((m = /^"([^"]*)"$/.exec(e))) return join(dir, fill(m[1]!));
  if ((m = /^glob\("([^"]*)"\)$/.exec(e))) {
    const pat = fill(m[1]!);
    const slash = pat.lastIndexOf('/');
    const sub = slash < 0 ? '' : pat.slice(0, slash);
    const re = new RegExp(`^${pat.slice(slash + 1).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    return readdirSync(join(dir, sub)).filter((f) => re.test(f)).sort().map((f) => join(dir, sub, f));
  }
  if ((m = /^read_json\("([^"]*)"\)$/.exec(e))) return JSON.parse(readFileSync(join(dir, fill(m[1]!)), 'utf8'));
  if ((m = /^read_string\("([^"]*)"\)$/.exec(e))) return readFileSync(join(dir, fill(m[1]!)), 'utf8').replace(/\n+$/, '');
  throw new Error(`WDL output form not supported by the contract test: ${e}`);
}
