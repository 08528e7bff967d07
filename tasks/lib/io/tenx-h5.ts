/**
 * 10x Genomics HDF5 matrix reader (Cell Ranger `filtered_feature_bc_matrix.h5`). v3 (Cell Ranger >= 3):
 * group `matrix` with `data`, `indices`, `indptr` (CSC: one column per barcode, indices are feature
 * rows), `shape` ([features, barcodes]), `barcodes`, and `features/id`, `features/name`,
 * `features/feature_type`. v2: one group per genome (e.g. `GRCh38`) with the same matrix datasets and
 * `genes`, `gene_names`, `barcodes`.
 *
 * Rows are the features, identified by `features/id` (unique Ensembl ids; the gene symbol in
 * `features/name` is the description), columns the barcodes. Cell Ranger writes indices and indptr
 * as int64, read through `asNumbers` (any value beyond 2^53 is an error).
 *
 * Locations: `source.rowLines`/`colColumns` hold the 0-based feature and barcode indices, and
 * `cellLocation` says "FILE matrix[feature, barcode]", as scipy would index the matrix.
 */
import { inputError } from '../errors.js';
import type { H5File } from './hdf5.js';
import { allocDense, asNumbers, checkNames, fillSparse, indexArray, type DenseDtype } from './h5-matrix.js';
import { quoteText, type ReadMatrix } from './text.js';

const MATRIX_SETS = ['data', 'indices', 'indptr', 'shape', 'barcodes'];

/** The 10x matrix group of a file ('matrix' for v3, the genome group for v2), or null if none. */
export function findTenxGroup(h5: H5File): { group: string; v3: boolean } | null {
  if (h5.kind('matrix') === 'group') return { group: 'matrix', v3: true };
  const v2 = h5
    .keys('')
    .filter((k) => h5.kind(k) === 'group' && ['genes', ...MATRIX_SETS].every((d) => h5.keys(k).includes(d)));
  if (v2.length === 1) return { group: v2[0]!, v3: false };
  if (v2.length > 1) {
    throw inputError(
      h5.path,
      `this 10x v2 file holds ${v2.length} genomes (${v2.map((g) => quoteText(g)).join(', ')}) and only one matrix is read`,
      'export one genome (e.g. with scanpy read_10x_h5(path, genome=...)) or use the Cell Ranger v3 output',
    );
  }
  return null;
}

/** Read an opened 10x .h5 file as a features x barcodes matrix. */
export function readTenxH5(h5: H5File, dtype: DenseDtype = 'float64'): ReadMatrix {
  const p = h5.path;
  const found = findTenxGroup(h5);
  if (!found) {
    throw inputError(p, 'this HDF5 file has no 10x "matrix" group', 'pass a Cell Ranger .h5 matrix (filtered_feature_bc_matrix.h5)');
  }
  const { group: g, v3 } = found;
  const idSet = v3 ? `${g}/features/id` : `${g}/genes`;
  const nameSet = v3 ? `${g}/features/name` : `${g}/gene_names`;
  const typeSet = `${g}/features/feature_type`;
  for (const d of [...MATRIX_SETS.map((d) => `${g}/${d}`), idSet]) {
    if (h5.kind(d) !== 'dataset') {
      throw inputError(`${p} group ${g}`, `the 10x matrix has no ${d} dataset`, 'pass the .h5 written by Cell Ranger, which stores data, indices, indptr, shape, barcodes and features');
    }
  }
  const shapeInfo = h5.info(`${g}/shape`);
  const shape = shapeInfo.kind === 'int' && shapeInfo.shape.length === 1 && shapeInfo.shape[0] === 2 ? Array.from(asNumbers(h5.readNumeric(`${g}/shape`, 0, 2))) : null;
  if (!shape || !shape.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    throw inputError(`${p} dataset ${g}/shape`, 'the shape is not two whole numbers (features, barcodes)', 'pass the .h5 written by Cell Ranger');
  }
  const [nFeatures, nBarcodes] = shape as [number, number];
  const from = `${g}/shape ([${nFeatures}, ${nBarcodes}])`;

  const ids = h5.readStrings(idSet);
  const names = h5.kind(nameSet) === 'dataset' ? h5.readStrings(nameSet) : ids.map(() => '');
  const barcodes = h5.readStrings(`${g}/barcodes`);
  checkNames(h5, idSet, ids, 'feature', nFeatures, from, 'feature ids must be unique, so use the features of the original Cell Ranger output');
  if (names.length !== nFeatures) {
    throw inputError(`${p} dataset ${nameSet}`, `it lists ${names.length} feature names but ${from} says there are ${nFeatures} features`, 'the names and the matrix disagree, so use the original Cell Ranger output');
  }
  checkNames(h5, `${g}/barcodes`, barcodes, 'barcode', nBarcodes, from, 'make barcodes unique (e.g. add a sample suffix when merging runs) or remove the duplicate');

  const data = allocDense(`${p} group ${g}`, nFeatures, nBarcodes, 'features', 'barcodes', dtype);
  fillSparse(
    h5,
    {
      group: g,
      nMajor: nBarcodes,
      nMinor: nFeatures,
      majorWhat: 'barcode',
      minorWhat: 'feature',
      shapeFrom: from,
      majorIsSample: true,
      label: (b, f) => `barcode ${quoteText(barcodes[b]!)}, feature ${quoteText(ids[f]!)}`,
    },
    data,
  );
  const result: ReadMatrix = {
    rows: nFeatures,
    cols: nBarcodes,
    data,
    rowIds: ids,
    rowDescriptions: names,
    colIds: barcodes,
    source: { path: p, format: '10x-h5', rowLines: indexArray(nFeatures), colColumns: indexArray(nBarcodes) },
  };
  if (v3) {
    const types = h5.kind(typeSet) === 'dataset' ? h5.readStrings(typeSet) : [];
    result.rowMeta = { names: ['name', 'type'], values: [names, types.length === nFeatures ? types : names.map(() => '')] };
  }
  return result;
}
