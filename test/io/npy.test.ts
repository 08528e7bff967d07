import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeNpy, encodeNpy, npyHeader, readNpy, writeNpy } from '../../tasks/lib/io/npy.js';
import { expectInputError, tempDir } from './helpers.js';

/** Debian's python3: .ci/run installs numpy and scipy for it (a pyenv python3 on PATH may lack them). */
const PYTHON = '/usr/bin/python3';

const file = tempDir('npy');

/** Header text numpy 2.4.6 `np.save` writes (captured with python3; padded with spaces to 128 bytes). */
function numpyHeader(dict: string): string {
  return dict + ' '.repeat(128 - 10 - dict.length - 1) + '\n';
}

function hasNumpy(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('npy', () => {
  test('header is byte-identical to numpy np.save for (5000, 38) float32', () => {
    const h = npyHeader('<f4', [5000, 38]);
    expect(h.length).toBe(128);
    expect(Array.from(h.subarray(0, 10))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 118, 0]);
    const text = Buffer.from(h.subarray(10)).toString('latin1');
    expect(text).toBe(numpyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (5000, 38), }"));
    expect(text.endsWith(' \n')).toBe(true);
    expect(h.length % 64).toBe(0);
  });

  test('headers for other dtypes and shapes match numpy', () => {
    const cases: [Parameters<typeof npyHeader>[0], number[], string][] = [
      ['<f8', [3], "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"],
      ['|u1', [], "{'descr': '|u1', 'fortran_order': False, 'shape': (), }"],
      ['<u2', [2, 3, 4], "{'descr': '<u2', 'fortran_order': False, 'shape': (2, 3, 4), }"],
      ['<i4', [7], "{'descr': '<i4', 'fortran_order': False, 'shape': (7,), }"],
    ];
    for (const [dtype, shape, dict] of cases) {
      expect(Buffer.from(npyHeader(dtype, shape).subarray(10)).toString('latin1')).toBe(numpyHeader(dict));
    }
  });

  test('round-trips every dtype through a file, atomically', () => {
    const arrays = [
      [Float32Array.from([1.5, -2, 3.25, 0, 1e-30, 7]), [2, 3]],
      [Float64Array.from([Math.PI, -1e300]), [2]],
      [Uint8Array.from([0, 255, 7]), [3, 1]],
      [Uint16Array.from([0, 65535, 300, 1]), [4]],
      [Int32Array.from([-2147483648, 2147483647]), [1, 2]],
      [new Float32Array(0), [0, 5]],
    ] as const;
    for (const [i, [data, shape]] of arrays.entries()) {
      const p = file(`rt/a${i}.npy`);
      writeNpy(p, data, shape);
      const back = readNpy(p);
      expect(back.shape).toEqual(shape);
      expect(back.data.constructor).toBe(data.constructor);
      expect(Array.from(back.data)).toEqual(Array.from(data));
      expect(readFileSync(p).length).toBe(128 + data.byteLength);
    }
    expect(readdirSync(dirname(file('rt/a0.npy'))).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  test('writes from a subarray view (non-zero byteOffset) correctly', () => {
    const big = Float32Array.from([9, 9, 1, 2, 3, 4]);
    const back = decodeNpy(encodeNpy(big.subarray(2), [2, 2]), 'view.npy');
    expect(Array.from(back.data)).toEqual([1, 2, 3, 4]);
  });

  test('rejects a shape that does not match the data', () => {
    expect(() => encodeNpy(new Float32Array(6), [4, 2])).toThrow(/does not match/);
  });

  test.skipIf(!hasNumpy())('numpy reads our file and we read numpy\'s (when python3 + numpy are installed)', () => {
    const ours = file('ours.npy');
    writeNpy(ours, Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    const out = execFileSync(PYTHON, ['-c', `import numpy as np; a=np.load(${JSON.stringify(ours)}); print(a.dtype, a.shape, a.sum(), a[1,0])`]).toString().trim();
    expect(out).toBe('float32 (2, 3) 21.0 4.0');
    const theirs = file('theirs.npy');
    execFileSync(PYTHON, ['-c', `import numpy as np; np.save(${JSON.stringify(theirs)}, np.arange(12, dtype='<f4').reshape(3, 4))`]);
    const t = readNpy(theirs);
    expect(t.shape).toEqual([3, 4]);
    expect(Array.from(t.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const ref = file('ref.npy');
    execFileSync(PYTHON, ['-c', `import numpy as np; np.save(${JSON.stringify(ref)}, np.array([[1,2,3],[4,5,6]], dtype='<f4'))`]);
    expect(Buffer.compare(readFileSync(ref), readFileSync(ours))).toBe(0);
  });

  test('reads format 2.0 headers', () => {
    const v1 = encodeNpy(Float64Array.from([1, 2]), [2]);
    const hlen = v1[8]! | (v1[9]! << 8);
    const v2 = new Uint8Array(v1.length + 2);
    v2.set(v1.subarray(0, 6));
    v2[6] = 2;
    v2[7] = 0;
    new DataView(v2.buffer).setUint32(8, hlen, true);
    v2.set(v1.subarray(10), 12);
    expect(Array.from(decodeNpy(v2, 'v2.npy').data)).toEqual([1, 2]);
  });

  function withHeader(dict: string, dataBytes: number): Uint8Array {
    const text = dict + ' '.repeat(128 - 10 - dict.length - 1) + '\n';
    const out = new Uint8Array(128 + dataBytes);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 0xff, text.length >> 8]);
    out.set(Buffer.from(text, 'latin1'), 10);
    return out;
  }

  test('errors: wrong magic, unsupported dtype, big-endian, Fortran order, truncated data, missing file', () => {
    const p = file('notnpy.npy', 'hello world, not numpy');
    expectInputError(() => readNpy(p), { file: p }, /magic/);
    const i8 = file('i8.npy', withHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", 16));
    expectInputError(() => readNpy(i8), { file: i8 }, /dtype "<i8" is not supported/);
    const be = file('be.npy', withHeader("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8));
    expectInputError(() => readNpy(be), { file: be }, /big-endian/);
    const fo = file('fortran.npy', withHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16));
    expectInputError(() => readNpy(fo), { file: fo }, /Fortran/);
    const tr = file('trunc.npy', withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 12));
    expectInputError(() => readNpy(tr), { file: tr }, /12 bytes but shape \(2, 2\) of <f4 needs 16/);
    const missing = file('missing.npy');
    expectInputError(() => readNpy(missing), { file: missing }, /does not exist/);
  });

  test('writeNpy output is accepted when written to disk by hand too', () => {
    const p = file('hand.npy');
    writeFileSync(p, encodeNpy(Uint8Array.from([1, 2, 3]), [3]));
    expect(readNpy(p).dtype).toBe('|u1');
  });
});
