/**
 * Syntax of the workflow files without their engines (neither Nextflow nor Cromwell/miniwdl can be
 * installed here):
 * - every .nf, .config and .groovy file under workflows/nextflow/ compiles to Groovy 4's CONVERSION
 *   phase (test/workflows/check.groovy, jars from npm-groovy-lint, java 17): syntax only, no
 *   Nextflow semantics (directives, channels, includes);
 * - every .wdl under workflows/wdl/ parses with Debian python3-wdlparse's WDL 1.0 ANTLR grammar
 *   with an error listener (test/workflows/check_wdl.py);
 * - deliberately broken copies fail both checks, so the checks can fail.
 */
import { execa } from 'execa';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { DEBIAN_PYTHON, NF, ROOT, describeWithTool, groovy, groovyMissing, tempDir, wdlparseMissing } from './helpers.js';

const CHECK_GROOVY = join(import.meta.dirname, 'check.groovy');
const CHECK_WDL = join(import.meta.dirname, 'check_wdl.py');

function filesUnder(dir: string, exts: string[]): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && exts.some((e) => d.name.endsWith(e)))
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

const nfFiles = filesUnder(NF, ['.nf', '.config', '.groovy']);
const wdlFiles = filesUnder(join(ROOT, 'workflows', 'wdl'), ['.wdl']);

describeWithTool('Nextflow files parse with Groovy 4', groovyMissing(), () => {
  let out = '';
  let code: number | undefined;
  let broken: { out: string; code: number | undefined; files: string[] };

  beforeAll(async () => {
    // One JVM for the real files, one for the broken copies (each start is ~1.5 s).
    const r = await groovy(CHECK_GROOVY, nfFiles);
    out = `${r.stdout}\n${r.stderr}`;
    code = r.exitCode;

    const dir = tempDir('nmfc-nf-broken-');
    const copy = (src: string, name: string, edit: (s: string) => string) => {
      const p = join(dir, name);
      const text = readFileSync(src, 'utf8');
      const changed = edit(text);
      if (changed === text) throw new Error(`the breaking edit did not change ${src}`);
      writeFileSync(p, changed);
      return p;
    };
    const files = [
      // a process whose script string is never closed
      copy(join(NF, 'modules/local/factorize/main.nf'), 'factorize_unclosed_script.nf', (s) => s.replace(/"""\n\n    stub:/, '\n\n    stub:')),
      // main.nf missing the closing brace of the entry workflow
      copy(join(NF, 'main.nf'), 'main_missing_brace.nf', (s) => s.replace(/\}\s*$/, '\n')),
      // a config with an unclosed list
      copy(join(NF, 'nextflow.config'), 'nextflow_unclosed_list.config', (s) => s.replace("process.shell = ['/bin/bash', '-euo', 'pipefail']", "process.shell = ['/bin/bash', '-euo', 'pipefail'")),
    ];
    const rb = await groovy(CHECK_GROOVY, files);
    broken = { out: `${rb.stdout}\n${rb.stderr}`, code: rb.exitCode, files };
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the pipeline files', () => {
    const rel = nfFiles.map((f) => relative(NF, f));
    for (const f of ['main.nf', 'nextflow.config', 'conf/base.config', 'conf/test.config', 'conf/modules.config',
      'modules/local/plan/main.nf', 'modules/local/preprocess/main.nf', 'modules/local/factorize/main.nf', 'modules/local/consensus/main.nf', 'modules/local/report/main.nf']) {
      expect(rel).toContain(f);
    }
  });

  it('every .nf, .config and .groovy file compiles (CONVERSION phase)', () => {
    expect(out, out).not.toMatch(/^FAIL /m);
    expect(code, out).toBe(0);
    for (const f of nfFiles) expect(out).toContain(`ok ${f}`);
  });

  it('a broken copy of a module, of main.nf and of nextflow.config each fails', () => {
    expect(broken.code, broken.out).toBe(1);
    for (const f of broken.files) expect(broken.out, broken.out).toContain(`FAIL ${f}`);
  });
});

describeWithTool('WDL files parse with wdlparse (WDL 1.0 grammar)', wdlparseMissing(), () => {
  const py = (files: string[]) => execa(DEBIAN_PYTHON, [CHECK_WDL, ...files], { reject: false, timeout: 60_000 });

  it('every .wdl file parses without a syntax error', async () => {
    expect(wdlFiles.map((f) => relative(ROOT, f))).toContain('workflows/wdl/nmf_consensus.wdl');
    const r = await py(wdlFiles);
    expect(r.stdout, `${r.stdout}\n${r.stderr}`).not.toMatch(/^FAIL /m);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
  });

  it('broken copies fail: a call without its brace, a keyword as a name, an output section without its brace', async () => {
    const dir = tempDir('nmfc-wdl-broken-');
    const text = readFileSync(join(ROOT, 'workflows/wdl/nmf_consensus.wdl'), 'utf8');
    const variants: Record<string, string> = {
      'call_paren.wdl': text.replace('call consensus {', 'call consensus ('),
      'keyword_name.wdl': text.replace('String nmf_consensus_version = read_string', 'String version = read_string'),
      'missing_brace.wdl': text.replace('  output {\n    Array[Array[Int]] shards', '  output\n    Array[Array[Int]] shards'),
    };
    const files: string[] = [];
    for (const [name, t] of Object.entries(variants)) {
      expect(t, `the breaking edit for ${name} changed nothing`).not.toBe(text);
      writeFileSync(join(dir, name), t);
      files.push(join(dir, name));
    }
    const r = await py(files);
    rmSync(dir, { recursive: true, force: true });
    expect(r.exitCode, r.stdout).toBe(1);
    for (const f of files) expect(r.stdout, r.stdout).toContain(`FAIL ${f}`);
  });
});
