// Builds dist/kernels/nmf-native.node (`npm run build:native`, part of `npm run build`): the AVX2
// kernels (kernels.cc) and their Node-API entry points (addon.cc), with the machine's C++ compiler and
// the headers that ship with Node. Where there is no x86-64 CPU, compiler or header, it says so and
// builds nothing: the wasm kernels serve every machine (fused/kernel.ts picks). Set NMF_NATIVE=0 to
// skip the build. Written under a temporary name and renamed, so a failed build leaves no module.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..', '..');
const out = join(root, 'dist', 'kernels', 'nmf-native.node');
const cxx = process.env.CXX || 'c++';
const include = join(dirname(process.execPath), '..', 'include', 'node');

function skip(why) {
  console.log(`native kernels not built (${why}); the wasm kernels are used`);
  rmSync(out, { force: true });
  process.exit(0);
}

if (process.env.NMF_NATIVE === '0') skip('NMF_NATIVE=0');
if (process.arch !== 'x64') skip(`${process.arch} is not x86-64`);
if (!existsSync(join(include, 'node_api.h'))) skip(`no Node-API headers at ${include}`);
try {
  execFileSync(cxx, ['--version'], { stdio: 'ignore' });
} catch {
  skip(`no C++ compiler: ${cxx} did not run (set CXX, or install g++)`);
}

const work = mkdtempSync(join(tmpdir(), 'nmf-native-'));
const tmp = `${out}.tmp-${process.pid}`;
try {
  // -ffp-contract=off: no fused multiply-add, so each lane rounds as the wasm kernels do.
  const common = ['-std=c++20', '-O3', '-fPIC', '-fvisibility=hidden', '-ffp-contract=off', '-fno-exceptions', '-Wall', '-Wextra'];
  const cc = (src, flags) => {
    const obj = join(work, src.replace(/\.cc$/, '.o'));
    execFileSync(cxx, [...common, ...flags, '-c', join(here, src), '-o', obj], { stdio: 'inherit' });
    return obj;
  };
  const objs = [cc('kernels.cc', ['-mavx2']), cc('addon.cc', [`-I${include}`])];
  mkdirSync(dirname(out), { recursive: true });
  // macOS links Node-API symbols at load time (untested here: only Linux has built this).
  const link = process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : [];
  execFileSync(cxx, ['-shared', ...link, '-o', tmp, ...objs], { stdio: 'inherit' });
  renameSync(tmp, out);
  console.log(`native kernels built: ${out}`);
} catch (err) {
  // A compiler too old for C++20, say: the compiler's own message is above.
  rmSync(work, { recursive: true, force: true });
  rmSync(tmp, { force: true });
  skip(`${cxx} failed: ${err.message.split('\n')[0]}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
