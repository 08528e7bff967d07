/**
 * .h5ad and 10x .h5 fixtures written by the real tools (anndata, h5py, scipy) of Debian's
 * /usr/bin/python3 (python3-anndata, python3-h5py, python3-scipy; `.ci/run` installs them), plus the
 * expected features x samples matrix of each, as JSON. Not the pyenv python3 on PATH: it lacks them.
 *
 * Outside CI a machine without them skips these tests and says why; in CI (CI=true) they run, and
 * fail, as the webgpu test does without its adapter.
 */
import { execa, execaSync } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';

/** Whether PYTHON can import anndata, h5py and scipy, and if not, why (for the skip message). */
export function pythonTools(): { ok: boolean; reason: string } {
  try {
    const r = execaSync(PYTHON, ['-c', 'import anndata, h5py, scipy, numpy'], { reject: false, timeout: 120_000 });
    if (r.exitCode === 0) return { ok: true, reason: '' };
    const last = String(r.stderr ?? '').trim().split('\n').at(-1) || String(r.shortMessage ?? 'failed').split('\n')[0];
    return { ok: false, reason: `${PYTHON} cannot import anndata, h5py and scipy (${last}); install python3-anndata python3-h5py python3-scipy` };
  } catch (err) {
    return { ok: false, reason: `${PYTHON} is not runnable (${(err as Error).message.split('\n')[0]})` };
  }
}

export const TOOLS = pythonTools();
/** Run the tests: the tools are there, or this is CI, where their absence must fail. */
export const RUN_H5 = TOOLS.ok || process.env.CI === 'true';
/** Appended to the suite names: why they are skipped, or (CI) why they will fail. */
export const SKIP_NOTE = TOOLS.ok ? '' : RUN_H5 ? ` (will fail: ${TOOLS.reason})` : ` (skipped: ${TOOLS.reason})`;
if (!RUN_H5) console.warn(`h5 tests skipped: ${TOOLS.reason}`);

export interface Expected {
  rows: number;
  cols: number;
  rowIds: string[];
  rowDescriptions?: string[];
  colIds: string[];
  /** features x samples, row-major. */
  data: number[];
}

const SCRIPT = String.raw`
import json, sys, warnings, os
import numpy as np, scipy.sparse as sp, h5py, pandas as pd, anndata as ad
warnings.filterwarnings('ignore')
out = sys.argv[1]
P = lambda n: os.path.join(out, n)

# 7 cells x 5 genes; values exact in float32; cell c4 and gene g5 partly zero.
X = np.array([[1, 0, 2.5, 0, 0],
              [0, 0, 3, 4, 0],
              [5, 6, 0, 0, 0.25],
              [0, 0, 0, 0, 7],
              [8, 0, 9, 0, 0],
              [0, 10, 0, 11, 0],
              [12, 0, 0, 0, 13]], dtype=np.float32)
cells = ['c%d' % i for i in range(1, 8)]
genes = ['g%d' % i for i in range(1, 6)]

def adata(m, obs=cells, var=genes):
    return ad.AnnData(m, obs=pd.DataFrame(index=obs), var=pd.DataFrame(index=var))

def expect(name, m, rows, cols, desc=None):
    e = {'rows': len(rows), 'cols': len(cols), 'rowIds': rows, 'colIds': cols,
         'data': np.asarray(m, dtype=np.float64).ravel().tolist()}
    if desc is not None: e['rowDescriptions'] = desc
    json.dump(e, open(P(name + '.json'), 'w'))

expect('anndata', X.T, genes, cells)
adata(X).write_h5ad(P('dense.h5ad'))
adata(sp.csr_matrix(X)).write_h5ad(P('csr.h5ad'))
adata(sp.csc_matrix(X)).write_h5ad(P('csc.h5ad'))
adata(sp.csr_matrix(X)).write_h5ad(P('gzip.h5ad'), compression='gzip')
adata(sp.csr_matrix(X)).write_h5ad(P('lzf-anndata.h5ad'), compression='lzf')

# LZF on the numbers, written with h5py (small chunks, so reads cross chunk boundaries); names plain.
adata(sp.csr_matrix(X)).write_h5ad(P('lzf.h5ad'))
with h5py.File(P('lzf.h5ad'), 'a') as f:
    for k in ('data', 'indices', 'indptr'):
        v = f['X/' + k][()]
        del f['X/' + k]
        f['X'].create_dataset(k, data=v, compression='lzf', chunks=(3,))
    assert f['X/data'].compression == 'lzf'
with h5py.File(P('lzf-dense.h5ad'), 'w') as f:
    f.create_dataset('X', data=X, compression='lzf', chunks=(2, 5))
    for axis, names in (('obs', cells), ('var', genes)):
        g = f.create_group(axis)
        g.attrs['_index'] = 'cell_id' if axis == 'obs' else 'gene_id'
        g.create_dataset(g.attrs['_index'], data=np.array(names, dtype=h5py.string_dtype()))

# anndata < 0.7: h5sparse_format attributes, obs/var as tables with an "index" column.
with h5py.File(P('legacy.h5ad'), 'w') as f:
    m = sp.csr_matrix(X)
    g = f.create_group('X')
    g.attrs['h5sparse_format'] = 'csr'
    g.attrs['h5sparse_shape'] = np.array(X.shape)
    g['data'], g['indices'], g['indptr'] = m.data, m.indices, m.indptr
    s = h5py.string_dtype()
    f['obs'] = np.array([(c, i) for i, c in enumerate(cells)], dtype=[('index', s), ('n', 'i4')])
    f['var'] = np.array([(n,) for n in genes], dtype=[('index', s)])

# 10x Genomics v3 (Cell Ranger layout): features x barcodes CSC, int64 indices/indptr, gzip.
ids = ['ENSG%03d' % i for i in range(1, 6)]
names = ['SYM%d' % i for i in range(1, 6)]
barcodes = ['AAACCTG-%d' % i for i in range(1, 8)]
counts = (X * 4).astype(np.int32)   # integers, as Cell Ranger writes
expect('tenx', counts.T, ids, barcodes, names)
def tenx(path, indptr=None):
    m = sp.csc_matrix(counts.T)
    with h5py.File(path, 'w') as f:
        g = f.create_group('matrix')
        z = dict(compression='gzip', compression_opts=4)
        g.create_dataset('barcodes', data=np.array(barcodes, dtype='S'), **z)
        g.create_dataset('data', data=m.data.astype(np.int32), **z)
        g.create_dataset('indices', data=m.indices.astype(np.int64), **z)
        g.create_dataset('indptr', data=(m.indptr if indptr is None else indptr).astype(np.int64), **z)
        g.create_dataset('shape', data=np.array(m.shape, dtype=np.int32))
        ft = g.create_group('features')
        ft.create_dataset('id', data=np.array(ids, dtype='S'), **z)
        ft.create_dataset('name', data=np.array(names, dtype='S'), **z)
        ft.create_dataset('feature_type', data=np.array(['Gene Expression'] * 5, dtype='S'), **z)
        ft.create_dataset('genome', data=np.array(['GRCh38'] * 5, dtype='S'), **z)
        f.attrs['filetype'] = 'matrix'
tenx(P('tenx.h5'))
big = sp.csc_matrix(counts.T).indptr.astype(np.int64)
big[3] = 2**60
tenx(P('tenx-bigindptr.h5'), big)
with h5py.File(P('tenx-v2.h5'), 'w') as f:
    m = sp.csc_matrix(counts.T)
    g = f.create_group('GRCh38')
    g['barcodes'] = np.array(barcodes, dtype='S')
    g['data'], g['indices'], g['indptr'] = m.data, m.indices.astype(np.int64), m.indptr.astype(np.int64)
    g['shape'] = np.array(m.shape, dtype=np.int32)
    g['genes'] = np.array(ids, dtype='S')
    g['gene_names'] = np.array(names, dtype='S')

# Bad files.
with h5py.File(P('neither.h5'), 'w') as f:
    f['counts'] = X
    f.create_group('metadata')
def csr_edit(name, **edits):
    adata(sp.csr_matrix(X)).write_h5ad(P(name))
    with h5py.File(P(name), 'a') as f:
        for k, v in edits.items():
            if k == 'shape':
                f['X'].attrs['shape'] = np.array(v)
            else:
                del f['X/' + k]
                f['X/' + k] = v
m = sp.csr_matrix(X)
ptr = m.indptr.copy(); ptr[3], ptr[4] = ptr[4], ptr[3]
csr_edit('indptr-decreasing.h5ad', indptr=ptr)
ptr = m.indptr.copy(); ptr[-1] = ptr[-1] + 2
csr_edit('indptr-range.h5ad', indptr=ptr)
idx = m.indices.copy(); idx[4] = 5
csr_edit('indices-range.h5ad', indices=idx)
csr_edit('shape.h5ad', shape=[7, 6])
csr_edit('short-indices.h5ad', indices=m.indices[:-1])
d = m.data.copy(); d[5] = np.nan
csr_edit('nan.h5ad', data=d)
Xinf = X.copy(); Xinf[2, 1] = np.inf
adata(Xinf).write_h5ad(P('inf-dense.h5ad'))
adata(sp.csr_matrix(X), obs=cells[:5] + ['c2', 'c7']).write_h5ad(P('dup-obs.h5ad'))
adata(sp.csr_matrix(X), var=['g1', 'g2', 'g3', 'g1', 'g5']).write_h5ad(P('dup-var.h5ad'))
raw = open(P('csr.h5ad'), 'rb').read()
open(P('truncated.h5ad'), 'wb').write(raw[: len(raw) // 2])
# A gzip chunk of X/data overwritten with garbage: the read must fail, not return garbage.
adata(sp.csr_matrix(X)).write_h5ad(P('corrupt-chunk.h5ad'), compression='gzip')
with h5py.File(P('corrupt-chunk.h5ad'), 'r') as f:
    info = f['X/data'].id.get_chunk_info(0)
with open(P('corrupt-chunk.h5ad'), 'r+b') as fh:
    fh.seek(info.byte_offset)
    fh.write(b'\xff' * info.size)
print('ok')
`;

/** Write every fixture into `dir` (about 2 s: importing anndata dominates). */
export async function makeH5Fixtures(dir: string): Promise<void> {
  const r = await execa(PYTHON, ['-c', SCRIPT, dir], { reject: false, timeout: 240_000 });
  if (r.exitCode !== 0 || !String(r.stdout).includes('ok')) {
    const why = TOOLS.ok ? String(r.stderr ?? '').slice(-2000) || r.shortMessage : TOOLS.reason;
    throw new Error(`writing the HDF5 fixtures with ${PYTHON} failed: ${why}`);
  }
}

export function expected(dir: string, name: 'anndata' | 'tenx'): Expected {
  return JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Expected;
}
